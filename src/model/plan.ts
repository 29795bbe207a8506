/**
 * The plan: plain, versioned JSON. Human output is rendered from it, apply executes only
 * its changes, and its fingerprint ties a reviewed plan to the state it was computed from.
 */
import type { Address } from './address.ts';
import type { Diagnostic } from './diagnostic.ts';
import type { JsonValue, ResourceIdentity, SourceRef } from './resource.ts';

export const PLAN_FORMAT_VERSION = 1;
export const KNOWN_AFTER_APPLY = '(known after apply)';
export const SECRET_CHANGED = '[secret] (changed)';

export type Action = 'create' | 'update' | 'replace' | 'delete' | 'noop';

export interface FieldChange {
  /** JSON pointer into the spec, e.g. `/spec/hard/requests.cpu`. */
  path: string;
  before?: JsonValue;
  after?: JsonValue;
  sensitive?: boolean;
  /** The live value cannot be read back, so drift cannot be verified. */
  unverifiable?: boolean;
  forcesReplacement?: boolean;
}

export interface Change extends ResourceIdentity {
  action: Action;
  /** Masked. */
  before?: JsonValue;
  /** Masked; unknown values are `(known after apply)`. */
  after?: JsonValue;
  fields: FieldChange[];
  reason?: string;
  /** Why this change cannot be undone by a revert (data loss, revoked key, DNS TTL). */
  irreversible?: string[];
  dependsOn: Address[];
  source?: SourceRef;
}

/** The usual reason a live resource is listed as unmanaged. */
export const UNMANAGED_NOTE = 'not created by Shipyard: left alone';

export interface UnmanagedResource {
  address: Address;
  environment: string;
  note: string;
}

export interface PlanSummary {
  create: number;
  update: number;
  replace: number;
  delete: number;
  noop: number;
  unverifiable: number;
  unmanaged: number;
}

export interface Plan {
  formatVersion: typeof PLAN_FORMAT_VERSION;
  /** sha256 over the changes and the live state they were computed from. */
  fingerprint: string;
  /** The git commit the desired state came from, when known. */
  revision?: string;
  changes: Change[];
  unmanaged: UnmanagedResource[];
  summary: PlanSummary;
  /** Errors here block apply; warnings are shown. */
  diagnostics: Diagnostic[];
  /** False when any read failed: such a plan never deletes. */
  complete: boolean;
}

export function hasChanges(plan: Plan): boolean {
  return plan.changes.some((c) => c.action !== 'noop');
}
