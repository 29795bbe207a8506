/**
 * Rotation without interruption, whatever system holds the secret, in two phases:
 *  1. publish: a new value becomes current while the old one keeps working until the grace
 *     period ends (a Kubernetes Secret's `previous` key, a Vercel `<KEY>_PREVIOUS` variable,
 *     a second Supabase secret API key);
 *  2. retire: once the grace period is over, the old value is removed and stops working.
 * Revoking skips the grace period. Each store implements `RotatableSecret`; this module only
 * decides what is due and in which order, so the rules are the same for every store.
 */
import type { Address } from '../model/address.ts';
import { parseDuration } from '../config/duration.ts';
import type { Rotation } from '../model/config.ts';
import type { Sensitive } from '../model/sensitive.ts';

export const DEFAULT_GRACE = '7d';

/** One secret that can be rotated: where it lives and how it is rotated. */
export interface RotatableSecret {
  /** Where it lives (a resource address, or a pseudo-address for a provider-side key). */
  address: Address;
  environment: string;
  venture?: string;
  /** What `--name` matches: a Secret's name, a variable's key, `supabase.secretKey`. */
  name: string;
  /** Where the value comes from, for people: `generated (48 base64url)`, `runner secret X`. */
  source: string;
  rotation?: Rotation;
  /** Reads the live state (one read per call). */
  inspect(): Promise<LiveSecret>;
}

export interface LiveSecret {
  exists: boolean;
  /** When the current value was written. */
  since?: string;
  /** While a previous value still works: when it stops. */
  previousUntil?: string;
  /** The start of the current value's HMAC fingerprint (never the value). */
  fingerprint?: string;
  /** Phase 2: removes the previous value. Returns what happened, for people. */
  retire(now: Date): Promise<string>;
  /** Phase 1 (or, with `revoke`, a replacement without grace period). */
  publish(request: { now: Date; until: Date; revoke: boolean }): Promise<PublishOutcome>;
}

/**
 * Something that holds a copy of a rotated value and must be handed the new one (a Vercel
 * variable fed by a Supabase key). `holds` compares fingerprints, never values.
 */
export interface SecretConsumer {
  address: Address;
  /** True when it already holds the value with this fingerprint (or is not applied yet: apply will deliver it). */
  holds(fingerprint: string): Promise<boolean>;
  /** Writes the new value and makes it take effect (a redeploy); returns what happened, for people. */
  deliver(value: Sensitive<string>, now: Date): Promise<string>;
}

export type PublishOutcome = { action: 'rotated' | 'revoked' | 'not-due' | 'missing'; message: string };

export interface RotationResult {
  address: Address;
  environment: string;
  venture?: string;
  name: string;
  action: 'rotated' | 'retired' | 'revoked' | 'not-due' | 'missing';
  message: string;
}

export interface SecretStatus {
  address: Address;
  environment: string;
  venture?: string;
  name: string;
  source: string;
  exists: boolean;
  since?: string;
  nextRotation?: string;
  previousUntil?: string;
  fingerprint?: string;
}

function statusOf(secret: RotatableSecret, live: LiveSecret): SecretStatus {
  const { address, environment, venture, name, source } = secret;
  return {
    address, environment, ...(venture ? { venture } : {}), name, source, exists: live.exists,
    ...(live.since ? { since: live.since } : {}),
    ...(live.since && secret.rotation ? { nextRotation: new Date(new Date(live.since).getTime() + parseDuration(secret.rotation.every)).toISOString() } : {}),
    ...(live.previousUntil ? { previousUntil: live.previousUntil } : {}),
    ...(live.fingerprint ? { fingerprint: live.fingerprint } : {}),
  };
}

export async function secretStatuses(secrets: RotatableSecret[]): Promise<SecretStatus[]> {
  const out: SecretStatus[] = [];
  for (const secret of secrets) out.push(statusOf(secret, await secret.inspect()));
  return out;
}

export interface RotationRequest {
  /** Rotate (or revoke) these by name. */
  names?: string[];
  /** Rotate what the declared period says is due. */
  due?: boolean;
  revoke?: boolean;
  now?: Date;
}

/**
 * Phase 2 for every secret whose grace period is over, then phase 1 for what is named or due.
 * Secrets are handled one after the other: a consumer (a redeploy, a Vercel variable) of one
 * rotation must see it finished before the next one starts.
 */
export async function rotateSecrets(secrets: RotatableSecret[], request: RotationRequest): Promise<RotationResult[]> {
  const now = request.now ?? new Date();
  const results: RotationResult[] = [];
  for (const secret of secrets) {
    const result = (action: RotationResult['action'], message: string): RotationResult => ({ address: secret.address, environment: secret.environment, ...(secret.venture ? { venture: secret.venture } : {}), name: secret.name, action, message });
    let live = await secret.inspect();
    if (live.previousUntil && new Date(live.previousUntil) <= now) {
      results.push(result('retired', await live.retire(now)));
      live = await secret.inspect();
    }
    const named = request.names?.includes(secret.name) ?? false;
    const status = statusOf(secret, live);
    const due = (request.due ?? false) && status.nextRotation !== undefined && new Date(status.nextRotation) <= now;
    if (!named && !due) {
      if (request.due || request.names) results.push(result('not-due', status.nextRotation ? `next rotation ${status.nextRotation}` : 'no rotation period declared'));
      continue;
    }
    if (!live.exists && !live.previousUntil) {
      results.push(result('missing', 'not created yet: run `shipyard secrets bootstrap` or `shipyard apply` first'));
      continue;
    }
    const until = new Date(now.getTime() + parseDuration(secret.rotation?.grace ?? DEFAULT_GRACE));
    const outcome = await live.publish({ now, until, revoke: request.revoke ?? false });
    results.push(result(outcome.action, outcome.message));
  }
  return results;
}
