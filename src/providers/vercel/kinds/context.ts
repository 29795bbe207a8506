/** What every Vercel kind gets from the provider, and how kinds read a resolved spec. */
import type { Address } from '../../../model/address.ts';
import { ApplyError, KeepExisting, type ApplyOperation, type ResolvedSpec, type ResolvedValue } from '../../../model/provider.ts';
import { isSensitive } from '../../../model/sensitive.ts';
import type { VercelClient } from '../client.ts';

export interface KindContext {
  client: VercelClient;
  /** A note for the operator (verification records, redeploys); the engine's reporter when given. */
  progress(address: Address, message: string): void;
}

/** The declared spec of a create/update; the engine always sends one. */
export function specOf(operation: ApplyOperation): ResolvedSpec {
  if (!operation.spec) throw new ApplyError(operation.address, `${operation.action} needs the desired spec`);
  return operation.spec;
}

/** A plain (non-secret) string field; secrets are read with secretValue. */
export function stringField(spec: ResolvedSpec, key: string): string | undefined {
  const value = spec[key];
  return typeof value === 'string' ? value : undefined;
}

/** Only the fields the config declares: `undefined` means "not declared", `null` means "clear it". */
export function declared<K extends string>(spec: ResolvedSpec, keys: readonly K[]): Partial<Record<K, ResolvedValue>> {
  const out: Partial<Record<K, ResolvedValue>> = {};
  for (const key of keys) if (key in spec) out[key] = spec[key];
  return out;
}

/** The value to write: revealed only here, where the provider sends it; KeepExisting passes through. */
export function secretValue(value: ResolvedValue | undefined): string | KeepExisting | undefined {
  if (value instanceof KeepExisting) return value;
  if (isSensitive(value)) return value.reveal() as string;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
