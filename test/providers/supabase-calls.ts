/**
 * API calls per plan against the minimum, for the tests and the benchmark (bench/ can call
 * `measureSupabasePlanCalls` with a PostgreSQL URL of its own).
 *
 * The minimum is DESIGN §7's: one list call per (kind, scope), 4 per project (project, auth,
 * rls, policy). The provider makes one directory call for every project of every organization,
 * then per existing project 4 calls (keys, pooler, auth config, one database query shared by
 * the project, rls and policy lists), however many tables and policies it has.
 */
import { computePlan } from '../../src/engine/planner.ts';
import { silentReporter } from '../../src/model/events.ts';
import type { DesiredResource } from '../../src/model/resource.ts';
import { planCallBound } from '../../src/providers/supabase/provider.ts';
import { Fingerprinter } from '../../src/secrets/fingerprint.ts';
import { secretsFromMap } from '../../src/secrets/sources.ts';
import { applyPlan } from '../../src/engine/applier.ts';
import { openSqliteStore } from '../../src/state/sqlite.ts';
import { providerFor } from './supabase-env.ts';
import { perProjectBudget, repoVenture, startSupabase, supabaseResources } from './supabase-helpers.ts';

export interface SupabaseCallFigures {
  ventures: number;
  projects: number;
  resources: number;
  /** Logical API calls of one plan (HTTP requests: `requests`). */
  calls: number;
  requests: number;
  /** One list call per (kind, scope). */
  minimum: number;
  byOperation: Record<string, number>;
}

export async function measureSupabasePlanCalls(options: { ventures: number; applied: boolean; postgresUrl?: string }): Promise<SupabaseCallFigures> {
  const template = await repoVenture('acme-notes');
  const docs = Array.from({ length: options.ventures }, (_, i) => {
    const doc = structuredClone(template);
    doc.metadata.name = `venture-${String(i).padStart(3, '0')}`;
    return doc;
  });
  const desired: DesiredResource[] = supabaseResources(...docs);
  const projects = desired.filter((r) => r.kind === 'project').length;
  const world = await startSupabase({ rateLimit: perProjectBudget(projects), ...(options.postgresUrl ? { postgresUrl: options.postgresUrl } : {}) });
  const store = await openSqliteStore(':memory:');
  try {
    const provider = providerFor(world.emulator.url, { concurrency: 8 });
    const secrets = secretsFromMap(Object.fromEntries(desired.flatMap((r) => Object.values(r.spec).flatMap((v) => (v && typeof v === 'object' && '$secretRef' in v ? [[String(v.$secretRef), `oauth-${String(v.$secretRef).toLowerCase()}`]] : [])))));
    const fingerprints = new Fingerprinter('supabase-calls-fingerprint-key');
    const context = { providers: [provider], store, secrets, fingerprints, reporter: silentReporter };
    if (options.applied) {
      const outcome = await applyPlan({ ...(await computePlan({ desired, ...context })), ...context, actor: 'calls' });
      if (outcome.status !== 'done') throw new Error(`measureSupabasePlanCalls: the apply failed: ${outcome.failed[0]?.error}`);
    }
    provider.client.resetStats();
    const before = world.emulator.requests.all().length;
    const { plan } = await computePlan({ desired, ...context });
    if (options.applied && plan.changes.some((c) => c.action !== 'noop')) throw new Error('measureSupabasePlanCalls: a converged plan has changes');
    const stats = provider.client.stats;
    return { ventures: options.ventures, projects, resources: desired.length, calls: stats.calls, requests: world.emulator.requests.all().length - before, minimum: planCallBound(desired).minimum, byOperation: { ...stats.byOperation } };
  } finally {
    await store.close();
    await world.stop();
  }
}
