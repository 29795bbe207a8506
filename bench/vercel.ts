/**
 * Vercel: API calls of one plan of 200 applied ventures against the minimum (one list call per
 * kind and scope: project, env vars and domains per venture, records per Vercel-served zone).
 * Through the real provider and SDK against the in-process emulator.
 */
import { loadConfig } from '../src/config/load.ts';
import { applyPlan } from '../src/engine/applier.ts';
import { computePlan } from '../src/engine/planner.ts';
import { silentReporter } from '../src/model/events.ts';
import type { VentureDoc } from '../src/model/config.ts';
import type { DesiredResource } from '../src/model/resource.ts';
import { Sensitive } from '../src/model/sensitive.ts';
import { compileSupabase } from '../src/providers/supabase/desired.ts';
import { compileVercel } from '../src/providers/vercel/desired.ts';
import { environmentsByTarget } from '../src/providers/vercel/env-example.ts';
import { createVercelProvider } from '../src/providers/vercel/provider.ts';
import { MemoryProvider } from '../src/sandbox/memory-provider.ts';
import { createVercelEmulator } from '../src/sandbox/vercel/emulator.ts';
import { Fingerprinter } from '../src/secrets/fingerprint.ts';
import { secretsFromMap } from '../src/secrets/sources.ts';
import { openSqliteStore } from '../src/state/sqlite.ts';
import type { BenchRow } from './table.ts';

export async function benchVercel(): Promise<BenchRow[]> {
  const ventures = 200;
  const config = await loadConfig(new URL('../', import.meta.url).pathname);
  const template = config.ventures.find((v) => v.doc.metadata.name === 'acme-notes')!.doc;
  const byTarget = environmentsByTarget(config.environments.map((e) => e.doc));
  const desired: DesiredResource[] = [];
  const repositories: Record<string, { defaultBranch: string }> = {};
  for (let i = 0; i < ventures; i++) {
    const doc: VentureDoc = structuredClone(template);
    doc.metadata.name = `venture-${String(i).padStart(3, '0')}`;
    doc.spec!.vercel!.project.git.repository = `acme/${doc.metadata.name}`;
    repositories[`acme/${doc.metadata.name}`] = { defaultBranch: 'main' };
    doc.spec!.vercel!.domains = [{ ...doc.spec!.vercel!.domains![0]!, name: `${doc.metadata.name}.example` }];
    const lines = { file: `ventures/${doc.metadata.name}.yaml`, line: () => 1 };
    desired.push(...compileVercel(doc, byTarget, lines), ...compileSupabase(doc, lines).filter((r) => r.kind === 'project'));
  }
  const emulator = createVercelEmulator({ tokens: ['bench-token'], teams: [{ id: 'team_bench', slug: 'bench' }], gitRepositories: repositories, rateLimit: { limit: 1_000_000 } });
  await emulator.start();
  try {
    const vercel = createVercelProvider({ token: 'bench-token', teamId: 'team_bench', serverURL: emulator.url, concurrency: 16 });
    // Supabase projects only provide the outputs the env vars consume.
    const supabase = new MemoryProvider({ name: 'supabase', concurrency: 16, kinds: [{ kind: 'project', outputs: (a) => ({ url: `https://${a.split('/')[1]}.supabase.test`, anonKey: 'anon', publishableKey: 'pub', serviceRoleKey: new Sensitive('svc'), secretKey: new Sensitive('sec'), databaseUrl: new Sensitive('postgres://x') }) }] });
    const store = await openSqliteStore(':memory:');
    const secrets = secretsFromMap({ ACME_STRIPE_SECRET_KEY: 'sk_test_bench_0123456789' });
    const fingerprints = new Fingerprinter('bench-fingerprint-key-0123456789');
    const context = { desired, providers: [vercel, supabase], store, secrets, fingerprints, reporter: silentReporter };
    const outcome = await applyPlan({ ...(await computePlan(context)), store, secrets, fingerprints, reporter: silentReporter, actor: 'bench' });
    if (outcome.status !== 'done') throw new Error(`bench apply failed: ${outcome.failed[0]?.error}`);
    const before = emulator.requests.all().length;
    const { plan } = await computePlan(context);
    const calls = emulator.requests.all().length - before;
    const minimum = new Set(desired.filter((r) => r.provider === 'vercel').map((r) => `${r.kind}/${r.scope}`)).size;
    await store.close();
    if (plan.changes.some((c) => c.action !== 'noop')) throw new Error('bench: a second Vercel plan still has changes');
    return [{ figure: `vercel: API calls per plan, ${ventures} ventures (${desired.filter((r) => r.kind === 'env').length} env vars)`, value: calls / minimum, unit: `x (${calls} calls, minimum ${minimum})`, bound: 1, goal: 'max' }];
  } finally {
    await emulator.stop();
  }
}
