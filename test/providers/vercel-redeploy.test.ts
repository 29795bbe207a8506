/**
 * `redeploy: true`: a changed value redeploys production once per project (Vercel applies env
 * values only to new deployments). The emulator's redeploy builds a new deployment with the
 * project's current variables, so the test can read what the running app sees.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/engine/applier.ts';
import { computePlan } from '../../src/engine/planner.ts';
import type { DesiredResource } from '../../src/model/resource.ts';
import { compileSupabase } from '../../src/providers/supabase/desired.ts';
import { compileVercel, redeployAddresses } from '../../src/providers/vercel/desired.ts';
import { environmentsByTarget } from '../../src/providers/vercel/env-example.ts';
import { Fingerprinter } from '../../src/secrets/fingerprint.ts';
import { secretsFromMap } from '../../src/secrets/sources.ts';
import { openSqliteStore } from '../../src/state/sqlite.ts';
import type { VercelEmulator } from '../../src/sandbox/vercel/emulator.ts';
import { recordingReporter, repoConfig, startEmulator, supabaseStub, TEAM, ventureDoc, vercelProvider } from './vercel-helpers.ts';

const emulators: VercelEmulator[] = [];
afterEach(async () => {
  await Promise.all(emulators.splice(0).map((e) => e.stop()));
});

/** How many redeploys the emulator served (POST /v13/deployments). */
const redeploysServed = (emulator: VercelEmulator) => emulator.requests.filter({ method: 'POST', path: '/v13/deployments', status: 200 }).length;

describe('redeploy', () => {
  it('redeploys production once when redeploy variables change, and not when nothing changed', async () => {
    const emulator = await startEmulator();
    emulators.push(emulator);
    const doc = await ventureDoc('acme-notes');
    for (const variable of doc.spec!.vercel!.env!) if (['NEXT_PUBLIC_APP_NAME', 'STRIPE_SECRET_KEY'].includes(variable.key)) variable.redeploy = true;
    const byTarget = environmentsByTarget((await repoConfig()).environments.map((e) => e.doc));
    const lines = { file: 'ventures/acme-notes.yaml', line: () => 1 };
    const compile = (): DesiredResource[] => [...compileVercel(doc, byTarget, lines), ...compileSupabase(doc, lines).filter((r) => r.kind === 'project')];
    expect(redeployAddresses(doc, byTarget).sort()).toEqual([
      'vercel/acme-notes/env/development/NEXT_PUBLIC_APP_NAME',
      'vercel/acme-notes/env/preview/NEXT_PUBLIC_APP_NAME',
      'vercel/acme-notes/env/production/NEXT_PUBLIC_APP_NAME',
      'vercel/acme-notes/env/production/STRIPE_SECRET_KEY',
    ]);

    const reporter = recordingReporter();
    const vercel = vercelProvider(emulator, { reporter, redeploy: redeployAddresses(doc, byTarget) });
    const providers = [vercel, supabaseStub()];
    const store = await openSqliteStore(':memory:');
    const runner: Record<string, string> = { ACME_STRIPE_SECRET_KEY: 'sk_test_first_value_000' };
    const secrets = secretsFromMap(runner);
    const fingerprints = new Fingerprinter('vercel-redeploy-test-fingerprint-key');
    const converge = async () => {
      const result = await computePlan({ desired: compile(), providers, store, secrets, fingerprints, reporter });
      return applyPlan({ ...result, store, secrets, fingerprints, reporter, actor: 'test' });
    };

    expect((await converge()).status).toBe('done');
    // No production deployment yet: nothing to redeploy, and it says so.
    expect(redeploysServed(emulator)).toBe(0);
    expect(reporter.progress().some((m) => m.includes('no production deployment yet'))).toBe(true);

    const [production] = emulator.simulateGitPush({ repo: 'acme/notes', branch: 'main', sha: 'a'.repeat(40) });
    for (const variable of doc.spec!.vercel!.env!) if (variable.key === 'NEXT_PUBLIC_APP_NAME') variable.value = { literal: 'Acme Notes 2' };
    runner.ACME_STRIPE_SECRET_KEY = 'sk_test_second_value_111';
    const outcome = await converge();
    expect(outcome.status).toBe('done');
    expect(outcome.succeeded).toHaveLength(4);
    // Two production variables changed in parallel: one redeploy, from the live production deployment.
    expect(redeploysServed(emulator)).toBe(1);
    expect(vercel.redeployer.created.map((c) => c.from)).toEqual([production!.uid]);
    // The new deployment was built with the new values: what the running app now reads.
    const latest = emulator.state.deployments(TEAM).find((d) => d.target === 'production')!;
    expect(latest.env['NEXT_PUBLIC_APP_NAME']).toBe('Acme Notes 2');
    expect(latest.env['STRIPE_SECRET_KEY']).toBe('sk_test_second_value_111');
    expect(production!.env['STRIPE_SECRET_KEY']).toBe('sk_test_first_value_000');
    expect(emulator.state.deployments(TEAM).filter((d) => d.target === 'production')).toHaveLength(2);
    expect(reporter.progress('vercel/acme-notes/env/preview/NEXT_PUBLIC_APP_NAME' as never)).toEqual([
      'NEXT_PUBLIC_APP_NAME changed for preview: those deployments pick it up on their next build',
    ]);

    expect((await converge()).status).toBe('nothing-to-do');
    expect(redeploysServed(emulator)).toBe(1);
  });
});
