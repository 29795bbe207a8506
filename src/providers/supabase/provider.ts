/**
 * The Supabase provider: projects, their auth settings, RLS switches and policies, through one
 * Management API client (one token bucket per endpoint, one call counter).
 *
 * Reads per plan: one project directory call for every organization (shared by all lists),
 * then per existing project its keys, its pooler config, its auth config and one read-only
 * database query (tables, policies, the kept password; shared by the project, rls and policy
 * lists). See `planCallBound` for the figure the tests and the benchmark compare with.
 */
import type { Address } from '../../model/address.ts';
import type { Reporter } from '../../model/events.ts';
import type { Provider } from '../../model/provider.ts';
import type { DesiredResource } from '../../model/resource.ts';
import { SupabaseClient, type SupabaseClientOptions } from './client.ts';
import { authKind } from './kinds/auth.ts';
import { KindContext } from './kinds/context.ts';
import { policyKind } from './kinds/policy.ts';
import { projectAddress, projectKind } from './kinds/project.ts';
import { rlsKind } from './kinds/rls.ts';
import { anonClosedTables, smokeCheck, type SmokeResult } from './smoke.ts';
import { countWrites, type WriteCounts } from '../write-counter.ts';

export interface SupabaseProviderOptions {
  token: string;
  /** Management API base URL (SUPABASE_API_URL); default https://api.supabase.com. */
  apiUrl?: string;
  /** Only projects of this organization are considered when finding projects by name. */
  organization?: string;
  /** Parallel writes (default 4). */
  concurrency?: number;
  /** Receives progress notes (waiting for a project, a reset password, RLS left on). */
  reporter?: Reporter;
  /** How long a create waits for ACTIVE_HEALTHY (default 10 min). */
  activationTimeoutMs?: number;
  /** Between status polls while waiting (default 2 s). */
  pollIntervalMs?: number;
  /** A project's data API URL, the `url` output (default https://<ref>.supabase.co). */
  projectUrl?: (ref: string) => string;
  /** How long a shared read may serve one plan (default 2 s; see plan-reads.ts). */
  readTtlMs?: number;
  /** Client tuning (retries, delays, timeouts). */
  client?: Omit<SupabaseClientOptions, 'token' | 'apiUrl'>;
}

export interface SupabaseProvider extends Provider {
  readonly client: SupabaseClient;
  /** Writes in flight now and at most so far (the contract suite checks the bound). */
  readonly writes: WriteCounts;
  /** The post-apply smoke check for every project of `desired` that has an anon-closed RLS table. */
  smokeCheck(desired: DesiredResource[]): Promise<SmokeResult[]>;
}

export function createSupabaseProvider(options: SupabaseProviderOptions): SupabaseProvider {
  const client = new SupabaseClient({ token: options.token, ...(options.apiUrl ? { apiUrl: options.apiUrl } : {}), ...(options.client ?? {}) });
  const progress = (address: Address, message: string) => options.reporter?.emit({ type: 'progress', address, message });
  const ctx = new KindContext(
    client,
    {
      ...(options.organization ? { organization: options.organization } : {}),
      projectUrl: options.projectUrl ?? ((ref) => `https://${ref}.supabase.co`),
      activationTimeoutMs: options.activationTimeoutMs ?? 10 * 60_000,
      pollIntervalMs: options.pollIntervalMs ?? 2000,
    },
    progress,
    options.readTtlMs ?? 2000,
  );
  const project = projectKind(ctx);
  const { kinds, writes } = countWrites([project, authKind(ctx), rlsKind(ctx), policyKind(ctx)]);
  return {
    name: 'supabase',
    concurrency: options.concurrency ?? 4,
    kinds,
    client,
    writes,
    async ping() {
      await client.listOrganizations('supabase');
    },
    async smokeCheck(desired) {
      const results: SmokeResult[] = [];
      for (const [scope, tables] of [...anonClosedTables(desired)].sort(([a], [b]) => a.localeCompare(b))) {
        const [live] = await project.list(scope);
        const at = projectAddress(scope);
        const url = live?.outputs?.url;
        const anonKey = live?.outputs?.anonKey ?? live?.outputs?.publishableKey;
        if (typeof url !== 'string' || typeof anonKey !== 'string') {
          results.push({ address: at, table: tables[0]!, healthy: false, rows: undefined, ok: false, message: `${at}: the project or its anon key was not found` });
          continue;
        }
        results.push(await smokeCheck({ address: at, url, anonKey, table: tables[0]! }));
      }
      return results;
    },
  };
}

/**
 * The fewest calls a plan can make under "one list per kind and scope" (DESIGN §7): one per
 * (kind, scope) of the desired resources. What this provider does instead: one directory call,
 * then per existing project 4 (keys, pooler, auth, database snapshot), whatever its policies.
 */
export function planCallBound(desired: DesiredResource[]): { minimum: number; scopes: number } {
  const supabase = desired.filter((r) => r.provider === 'supabase');
  return { minimum: new Set(supabase.map((r) => `${r.kind}/${r.scope}`)).size, scopes: new Set(supabase.map((r) => r.scope)).size };
}
