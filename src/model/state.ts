/**
 * The state store: what Shipyard owns (inventory), what it did (journal) and who is applying
 * now (locks). Backends: sqlite (embedded default), postgres, kubernetes.
 */
import type { Address } from './address.ts';

export interface InventoryEntry {
  address: Address;
  environment: string;
  venture?: string;
  providerId?: string;
  /** Deleting it needs a tombstone in git. */
  protected?: boolean;
  /** What it depended on when written: deletes run in the reverse order. */
  dependsOn?: Address[];
  /** HMAC fingerprints of secret values written, by field pointer. Never plaintext. */
  fingerprints: Record<string, string>;
  /** `pending`: a create was started (ownership is claimed before the write so a crash cannot orphan it). */
  status: 'pending' | 'applied';
  updatedAt: string;
}

export type StepOutcome = 'started' | 'succeeded' | 'failed' | 'skipped';

export interface JournalRecord {
  /** Identifies one apply run. */
  runId: string;
  planFingerprint: string;
  revision?: string;
  actor: string;
  address: Address;
  environment: string;
  action: string;
  outcome: StepOutcome;
  /** Scrubbed of secrets. */
  message?: string;
  at: string;
  /** For a finished step, how long it took. */
  durationMs?: number;
}

export interface JournalQuery {
  runId?: string;
  environment?: string;
  address?: Address;
  limit?: number;
}

export interface LockInfo {
  environment: string;
  owner: string;
  /** ISO time the lock expires unless renewed. */
  expiresAt: string;
  acquiredAt: string;
}

export class LockHeldError extends Error {
  readonly holder: LockInfo;
  constructor(holder: LockInfo) {
    super(`environment ${holder.environment} is locked by ${holder.owner} until ${holder.expiresAt}; wait for that apply to finish, or run \`shipyard state unlock ${holder.environment}\` if it died`);
    this.name = 'LockHeldError';
    this.holder = holder;
  }
}

export interface StateStore {
  readonly name: string;
  listInventory(environment?: string): Promise<InventoryEntry[]>;
  putInventory(entries: InventoryEntry[]): Promise<void>;
  removeInventory(addresses: Address[]): Promise<void>;
  appendJournal(records: JournalRecord[]): Promise<void>;
  readJournal(query?: JournalQuery): Promise<JournalRecord[]>;
  /** Removes whole runs that ended before `cutoff` (ISO time), keeping each environment's latest run. */
  pruneJournal(cutoff: string): Promise<{ runs: number; records: number }>;
  /** Takes the lock or throws LockHeldError; an expired lock may be taken over. */
  acquireLock(environment: string, owner: string, ttlMs: number): Promise<LockInfo>;
  renewLock(environment: string, owner: string, ttlMs: number): Promise<LockInfo>;
  releaseLock(environment: string, owner: string): Promise<void>;
  /** Removes a lock whatever its owner (the operator's `state unlock`). */
  forceUnlock(environment: string): Promise<LockInfo | undefined>;
  listLocks(): Promise<LockInfo[]>;
  close(): Promise<void>;
}
