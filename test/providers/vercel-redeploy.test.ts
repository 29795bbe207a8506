/**
 * `redeploy: true`: a changed value redeploys production once per project (Vercel applies env
 * values only to new deployments). The emulator does not serve createDeployment
 * (POST /v13/deployments), so this test adds that one route on its server: it rebuilds the
 * named deployment with the emulator's own git-push simulation.
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

/** The redeploy endpoint, answered with the small variant of the SDK's response union. */
function serveCreateDeployment(emulator: VercelEmulator): { deploymentId: string; target: string }[] {
  const calls: { deploymentId: string; target: string }[] = [];
  emulator.server.route('POST', '/v13/deployments', (req) => {
    const body = req.body as { name: string; deploymentId: string; target: string };
    calls.push({ deploymentId: body.deploymentId, target: body.target });
    const from = emulator.state.deployments(TEAM).find((d) => d.uid === body.deploymentId);
    if (!from) return { status: 404, body: { error: { code: 'not_found', message: 'Deployment not found' } } };
    const [created] = emulator.simulateGitPush({ repo: `${from.meta['githubOrg']}/${from.meta['githubRepo']}`, branch: from.meta['githubCommitRef']!, sha: from.meta['githubCommitSha']!, readyState: 'QUEUED' });
    return { status: 200, body: { id: created!.uid, aliasAssigned: false, readyState: 'QUEUED', target: 'production' } };
  }, { rateLimitKey: 'createDeployment' });
  return calls;
}

describe('redeploy', () => {
  it('redeploys production once when redeploy variables change, and not when nothing changed', async () => {
    const emulator = await startEmulator();
    emulators.push(emulator);
    const calls = serveCreateDeployment(emulator);
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
    expect(calls).toEqual([]);
    expect(reporter.progress().some((m) => m.includes('no production deployment yet'))).toBe(true);

    const [production] = emulator.simulateGitPush({ repo: 'acme/notes', branch: 'main', sha: 'a'.repeat(40) });
    for (const variable of doc.spec!.vercel!.env!) if (variable.key === 'NEXT_PUBLIC_APP_NAME') variable.value = { literal: 'Acme Notes 2' };
    runner.ACME_STRIPE_SECRET_KEY = 'sk_test_second_value_111';
    const outcome = await converge();
    expect(outcome.status).toBe('done');
    expect(outcome.succeeded).toHaveLength(4);
    // Two production variables changed in parallel: one redeploy, from the live production deployment.
    expect(calls).toEqual([{ deploymentId: production!.uid, target: 'production' }]);
    expect(vercel.redeployer.created).toHaveLength(1);
    expect(emulator.state.deployments(TEAM).filter((d) => d.target === 'production')).toHaveLength(2);
    expect(reporter.progress('vercel/acme-notes/env/preview/NEXT_PUBLIC_APP_NAME' as never)).toEqual([
      'NEXT_PUBLIC_APP_NAME changed for preview: those deployments pick it up on their next build',
    ]);

    expect((await converge()).status).toBe('nothing-to-do');
    expect(calls).toHaveLength(1);
  });
});
