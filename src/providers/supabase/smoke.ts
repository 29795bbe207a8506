/**
 * The post-apply smoke check, through the data API as a browser would reach it: with
 * @supabase/supabase-js and the anon key, the project answers its health check, and a select
 * on a table that RLS protects from anon returns no rows (not an error: no rows).
 */
import { createClient } from '@supabase/supabase-js';
import { parseAddress, type Address } from '../../model/address.ts';
import type { DesiredResource } from '../../model/resource.ts';
import { processRedactor } from '../../secrets/redact.ts';
import { parseTable } from './rls-sql.ts';

export interface SmokeTarget {
  /** The project's address, for messages. */
  address: Address;
  url: string;
  anonKey: string;
  /** `schema.table`: RLS on, and no policy lets anon select. */
  table: string;
}

export interface SmokeResult {
  address: Address;
  table: string;
  healthy: boolean;
  /** Rows anon could read; undefined when the select failed. */
  rows: number | undefined;
  ok: boolean;
  message: string;
}

export async function smokeCheck(target: SmokeTarget): Promise<SmokeResult> {
  const base = { address: target.address, table: target.table };
  let healthy = false;
  let healthNote = '';
  try {
    const res = await fetch(`${target.url.replace(/\/+$/, '')}/auth/v1/health`, { headers: { apikey: target.anonKey }, signal: AbortSignal.timeout(15_000) });
    healthy = res.ok;
    healthNote = res.ok ? '' : `health answered HTTP ${res.status}`;
    await res.body?.cancel();
  } catch (error) {
    healthNote = `health check failed: ${error instanceof Error ? error.message : String(error)}`;
  }
  const client = createClient(target.url, target.anonKey, { auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } });
  const { schema, table } = parseTable(target.table);
  const from = schema === 'public' ? client.from(table) : client.schema(schema).from(table);
  const { data, error, status } = await from.select('*').limit(1);
  const rows = error ? undefined : (data ?? []).length;
  const ok = healthy && rows === 0;
  const message = !healthy
    ? healthNote
    : error
      ? `anon select on ${target.table} failed with HTTP ${status}: ${error.message}`
      : rows === 0
        ? `healthy; anon reads no rows of ${target.table}`
        : `anon can read rows of ${target.table}: its row-level security does not hold`;
  return { ...base, healthy, rows, ok, message: `${target.address}: ${processRedactor.scrub(message)}` };
}

/**
 * Per project scope, the tables anon must not read: RLS declared on, and no select (or all)
 * policy for anon or public.
 */
export function anonClosedTables(desired: DesiredResource[]): Map<string, string[]> {
  const open = new Set<string>();
  for (const r of desired) {
    if (r.provider !== 'supabase' || r.kind !== 'policy') continue;
    const command = r.spec.command;
    const roles = Array.isArray(r.spec.roles) ? r.spec.roles : [];
    if ((command === 'select' || command === 'all') && roles.some((role) => role === 'anon' || role === 'public') && r.spec.permissive !== false) {
      open.add(`${r.scope}/${parseAddress(r.address).name[0]}`);
    }
  }
  const out = new Map<string, string[]>();
  for (const r of desired) {
    if (r.provider !== 'supabase' || r.kind !== 'rls' || r.spec.enabled === false) continue;
    const table = parseAddress(r.address).name[0]!;
    if (open.has(`${r.scope}/${table}`)) continue;
    out.set(r.scope, [...(out.get(r.scope) ?? []), table].sort());
  }
  return out;
}
