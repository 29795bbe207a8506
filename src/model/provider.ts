/**
 * What a provider offers the engine: kinds that can be listed per scope and applied per change.
 * Every provider (kubernetes, vercel, supabase, the in-memory sandbox) runs the same contract suite.
 */
import type { Address } from './address.ts';
import type { JsonObject, ObservedResource } from './resource.ts';
import type { Sensitive } from './sensitive.ts';

/**
 * A generated secret after its first write: the engine no longer knows the value, so the
 * provider keeps what the target system holds (omit it from a PATCH, re-send the live value).
 */
export class KeepExisting {
  readonly keep = true;
  toJSON(): string {
    return '[secret]';
  }
}

/** A desired spec after the engine resolved every marker: JSON plus Sensitive values. */
export type ResolvedValue = string | number | boolean | null | Sensitive<string> | KeepExisting | ResolvedValue[] | { [key: string]: ResolvedValue };
export type ResolvedSpec = { [key: string]: ResolvedValue };

export interface ApplyOperation {
  action: 'create' | 'update' | 'delete';
  address: Address;
  scope: string;
  /** For create/update: the full declared spec, secrets as Sensitive. */
  spec?: ResolvedSpec;
  /** For update/delete: what was read during planning. */
  observed?: ObservedResource;
}

export interface ApplyResult {
  id?: string;
  outputs?: Record<string, string | Sensitive<string>>;
  /** Live state after the write, when the provider has it without another read. */
  state?: JsonObject;
}

export interface ResourceKind {
  kind: string;
  /** Spec fields (JSON pointers) whose change needs a replacement, e.g. a Vercel project's git repository. */
  replaceOn?: string[];
  /** Pointers whose values are secret in live state (e.g. a Secret's `/data`): always masked. */
  sensitivePaths?: string[];
  /** Why deleting this kind cannot be undone, shown on delete/replace. */
  irreversibleOnDelete?: string;
  /**
   * What the system would store for these declared fields (e.g. a server-side dry run), so that
   * server defaults and canonical forms do not show as changes, and invalid objects fail at plan
   * time. Secret (`{ $fp }`) and unknown leaves must come back unchanged.
   */
  preview?(address: Address, declared: JsonObject, observed?: ObservedResource): Promise<JsonObject>;
  /** Every resource of this kind in one scope: one list call, no per-item reads. */
  list(scope: string): Promise<ObservedResource[]>;
  apply(operation: ApplyOperation): Promise<ApplyResult>;
}

export interface Provider {
  name: string;
  kinds: ResourceKind[];
  /** Parallel writes allowed against this provider's API. */
  concurrency: number;
  /** A cheap call that proves the credentials work. */
  ping?(): Promise<void>;
}

/** A failure worth retrying (429, 5xx, reset); retryAfterMs comes from Retry-After or the rate-limit reset. */
export class TransientError extends Error {
  readonly retryAfterMs: number | undefined;
  constructor(message: string, retryAfterMs?: number, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TransientError';
    this.retryAfterMs = retryAfterMs;
  }
}

/** A write that failed for good; the message starts with the address (DESIGN §4 rule 9). */
export class ApplyError extends Error {
  readonly address: string;
  constructor(address: string, message: string, options?: ErrorOptions) {
    super(`${address}: ${message}`, options);
    this.name = 'ApplyError';
    this.address = address;
  }
}
