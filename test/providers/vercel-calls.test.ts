/**
 * API calls per plan for N ventures against the minimum: one list call per (kind, scope), i.e.
 * per venture a project, env and domain list, plus one record list per Vercel-served zone.
 * No per-variable GETs, whatever the number of variables.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/engine/applier.ts';
import { computePlan } from '../../src/engine/planner.ts';
import { silentReporter } from '../../src/model/events.ts';
import type { VentureDoc } from '../../src/model/config.ts';
import type { DesiredResource } from '../../src/model/resource.ts';
import { compileSupabase } from '../../src/providers/supabase/desired.ts';
import { compileVercel } from '../../src/providers/vercel/desired.ts';
import { environmentsByTarget } from '../../src/providers/vercel/env-example.ts';
import { Fingerprinter } from '../../src/secrets/fingerprint.ts';
import { secretsFromMap } from '../../src/secrets/sources.ts';
import { openSqliteStore } from '../../src/state/sqlite.ts';
import type { VercelEmulator } from '../../src/sandbox/vercel/emulator.ts';
import { repoConfig, startEmulator, supabaseStub, ventureDoc, vercelProvider } from './vercel-helpers.ts';

const started: VercelEmulator[] = [];
afterAll(async () => {
  await Promise.all(started.map((e) => e.stop()));
});

async function ventures(n: number): Promise<DesiredResource[]> {
  const template = await ventureDoc('acme-notes');
  const byTarget = environmentsByTarget((await repoConfig()).environments.map((e) => e.doc));
  const out: DesiredResource[] = [];
  for (let i = 0; i < n; i++) {
    const doc: VentureDoc = structuredClone(template);
    doc.metadata.name = `venture-${String(i).padStart(3, '0')}`;
    doc.spec!.vercel!.domains = [{ ...doc.spec!.vercel!.domains![0]!, name: `venture-${i}.test` }];
    const lines = { file: `ventures/${doc.metadata.name}.yaml`, line: () => 1 };
    out.push(...compileVercel(doc, byTarget, lines), ...compileSupabase(doc, lines).filter((r) => r.kind === 'project'));
  }
  return out;
}

async function measure(n: number, applied: boolean) {
  const emulator = await startEmulator();
  started.push(emulator);
  const vercel = vercelProvider(emulator);
  const providers = [vercel, supabaseStub()];
  const store = await openSqliteStore(':memory:');
  const secrets = secretsFromMap({ ACME_STRIPE_SECRET_KEY: 'sk_test_calls_0123456789' });
  const fingerprints = new Fingerprinter('vercel-calls-test-fingerprint-key');
  const desired = await ventures(n);
  const plan = () => computePlan({ desired, providers, store, secrets, fingerprints, reporter: silentReporter });
  if (applied) {
    const outcome = await applyPlan({ ...(await plan()), store, secrets, fingerprints, reporter: silentReporter, actor: 'test' });
    expect(outcome.status).toBe('done');
  }
  vercel.client.resetStats();
  const before = emulator.requests.all().length;
  const { plan: result } = await plan();
  const scopes = new Set(desired.filter((r) => r.provider === 'vercel').map((r) => `${r.kind}/${r.scope}`)).size;
  const envVars = desired.filter((r) => r.kind === 'env').length;
  return { calls: vercel.client.stats.calls, requests: emulator.requests.all().length - before, minimum: scopes, envVars, changes: result.summary };
}

describe('API calls per plan', () => {
  it('equals the minimum (one list per kind and scope) for 1, 10 and 50 ventures from empty', async () => {
    const rows = [];
    for (const n of [1, 10, 50]) {
      const m = await measure(n, false);
      rows.push({ ventures: n, ...m });
      expect(m.minimum).toBe(4 * n);
      expect(m.calls).toBe(m.minimum);
      expect(m.requests).toBe(m.minimum);
    }
    console.log(rows.map((r) => `ventures=${r.ventures} env vars=${r.envVars} calls=${r.calls} minimum=${r.minimum} ratio=${(r.calls / r.minimum).toFixed(2)}`).join('\n'));
  });

  it('equals the minimum for 5 applied ventures (95 env vars read in 5 calls)', async () => {
    const m = await measure(5, true);
    expect(m.changes).toMatchObject({ create: 0, update: 0, delete: 0 });
    expect(m.envVars).toBe(95);
    expect(m.calls).toBe(20);
    expect(m.requests).toBe(20);
  });
});
