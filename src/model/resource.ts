/**
 * Resources as the engine sees them: what the config declares (desired) and what a provider
 * reads back (observed). Desired specs hold only declared fields; values that are not known
 * yet or are secret are markers, resolved by the engine.
 */
import type { Address } from './address.ts';
import type { Sensitive } from './sensitive.ts';

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A value produced by another resource, e.g. a Supabase project's anon key for a Vercel env var. */
export interface OutputRef {
  $output: { address: Address; name: string; sensitive: boolean };
}

/** A secret Shipyard generates once; only its fingerprint is ever kept. */
export interface GenerateRule {
  $generate: { length: number; alphabet: 'base64url' | 'hex' | 'alphanumeric' | 'password' };
}

/** A value read from the runner's environment (a CI secret). */
export interface SecretRefValue {
  $secretRef: string;
}

/** What a desired spec may hold: JSON, or markers anywhere a string could be. */
export type SpecValue =
  | JsonPrimitive
  | Sensitive<string>
  | OutputRef
  | GenerateRule
  | SecretRefValue
  | SpecValue[]
  | { [key: string]: SpecValue };
export type Spec = { [key: string]: SpecValue };

export interface SourceRef {
  file: string;
  line: number;
}

/** Where a resource lives and whose it is: shared by desired resources and plan changes. */
export interface ResourceIdentity {
  address: Address;
  /** Provider name, e.g. `kubernetes`. */
  provider: string;
  /** Kind within the provider, e.g. `NetworkPolicy`. */
  kind: string;
  /** The list scope a provider reads this resource from (a namespace, a project, a team). */
  scope: string;
  /** The platform environment the resource belongs to: it decides the lock and the safety threshold. */
  environment: string;
  /** The venture, for grouping in renderers; absent for environment-level resources. */
  venture?: string;
}

export interface DesiredResource extends ResourceIdentity {
  spec: Spec;
  dependsOn: Address[];
  source?: SourceRef;
  /** Deleting or replacing it needs a tombstone in git. */
  protected?: boolean;
  /** Adopt an existing resource that Shipyard does not own yet. */
  adopt?: boolean;
}

export interface ObservedResource {
  address: Address;
  /** Live state, in the same shape as the desired spec (providers normalise). */
  state: JsonObject;
  /** Provider-side identity (project id, uid). */
  id?: string;
  /** Values other resources consume; secret ones are Sensitive. */
  outputs?: Record<string, string | Sensitive<string>>;
  /** Fields whose live value cannot be read back (write-only secrets, hashed OAuth secrets). */
  writeOnly?: string[];
  /** Why a live resource Shipyard does not manage exists (a rotation's previous value), for the plan. */
  note?: string;
}
