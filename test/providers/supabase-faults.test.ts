/**
 * The Supabase client and provider under the API's bad days: rate limits (Reset is seconds
 * left), a 429 storm, 5xx answers, a create whose answer is lost, and projects Shipyard did
 * not create. All on the emulator with the test run's real PostgreSQL.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/engine/applier.ts';
import { TransientError } from '../../src/model/provider.ts';
import { SupabaseClient } from '../../src/providers/supabase/client.ts';
import type { DesiredResource } from '../../src/model/resource.ts';
import { PASSWORD_KEPT } from '../../src/providers/supabase/desired.ts';
import { projectAddress } from '../../src/providers/supabase/kinds/project.ts';
import { Fingerprinter } from '../../src/secrets/fingerprint.ts';
import { secretsFromMap } from '../../src/secrets/sources.ts';
import { ORG, providerFor, TOKEN } from './supabase-env.ts';
import { actions, createProjectByHand, harness, recordingReporter, repoVenture, sqlOn, startSupabase, supabaseResources, type SupabaseWorld } from './supabase-helpers.ts';

const worlds: SupabaseWorld[] = [];
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((w) => w.stop()));
});

async function world(options: Parameters<typeof startSupabase>[0] = {}) {
  const w = await startSupabase(options);
  worlds.push(w);
  return w;
}

/** acme-notes' development environment only: a project, its auth config, 2 tables, 5 policies. */
async function acmeDevelopment() {
  const resources = supabaseResources(await repoVenture('acme-notes'));
  return resources.filter((r) => r.environment === 'development');
}

const oauth = { ACME_GOOGLE_SECRET_DEV: 'google-dev-secret-31ab', ACME_GITHUB_SECRET_DEV: 'github-dev-secret-77cd', ACME_AZURE_SECRET_DEV: 'azure-dev-secret-90ef' };

describe('rate limits', () => {
  it('reads X-RateLimit-Reset as seconds left in the window: a tight limit is never exceeded', async () => {
    const { emulator } = await world();
    const ref = await createProjectByHand(emulator, 'limited');
    emulator.rateLimiter.setPolicy({ limit: 3, windowMs: 2000 });
    const client = new SupabaseClient({ token: TOKEN, apiUrl: emulator.url });
    const started = Date.now();
    for (let i = 0; i < 7; i++) await client.getAuthConfig('test', ref);
    // 3 + 3 + 1 requests: two full windows waited out, and the server never had to refuse one.
    expect(Date.now() - started).toBeGreaterThanOrEqual(3900);
    expect(emulator.requests.count({ status: 429 })).toBe(0);
    expect(client.stats).toMatchObject({ calls: 7, requests: 7, throttled: 2, rateLimited: 0 });
  });

  it('under a 429 storm (120/min plus 50% injected 429s) the apply completes, every retry waits for Reset, no duplicates', async () => {
    const { emulator } = await world();
    emulator.injectFault({ kind: 'status', status: 429, probability: 0.5, headers: { 'x-ratelimit-limit': '120', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1' }, match: { path: /^\/v1\// } });
    const reporter = recordingReporter();
    const provider = providerFor(emulator.url, { reporter, client: { maxRetries: 14 } });
    const h = await harness(provider, { secrets: oauth, reporter });
    const desired = await acmeDevelopment();
    const { outcome } = await h.apply(desired);
    expect(outcome).toMatchObject({ status: 'done', failed: [] });
    expect(emulator.state.projectsNamed('acme-notes-development')).toHaveLength(1);
    const stats = provider.client.stats;
    expect(stats.rateLimited).toBeGreaterThan(5);
    expect(emulator.requests.count({ status: 429 })).toBe(stats.rateLimited);
    expect(stats.shortestWaitAfter429Ms).toBeGreaterThanOrEqual(1000);
    // Still storming: the next plan reads everything and finds nothing to do.
    const again = await h.plan(desired);
    expect(again.plan.complete).toBe(true);
    expect(actions(again.plan)).toEqual({});
    console.log(`429 storm: ${stats.calls} calls, ${stats.requests} requests, ${stats.rateLimited} answered 429, shortest wait after a 429 ${stats.shortestWaitAfter429Ms} ms`);
    await h.store.close();
  }, 180_000);
});

describe('failures', () => {
  it('retries 5xx itself, then hands the engine a TransientError that starts with the address and carries no token', async () => {
    const { emulator } = await world();
    const ref = await createProjectByHand(emulator, 'flaky');
    emulator.injectFault({ kind: 'status', status: 503, times: 2, match: { method: 'GET', path: '/v1/projects/{ref}/config/auth' } });
    const client = new SupabaseClient({ token: TOKEN, apiUrl: emulator.url, baseDelayMs: 10 });
    expect(await client.getAuthConfig('supabase/flaky/auth/config', ref)).toMatchObject({ site_url: 'http://localhost:3000' });
    expect(client.stats).toMatchObject({ calls: 1, requests: 3, retries: 2 });

    emulator.injectFault({ kind: 'status', status: 502, times: 3, body: { message: `upstream rejected token ${TOKEN}` }, match: { method: 'GET', path: '/v1/projects/{ref}/config/auth' } });
    const impatient = new SupabaseClient({ token: TOKEN, apiUrl: emulator.url, baseDelayMs: 10, maxRetries: 1 });
    const error = await impatient.getAuthConfig('supabase/flaky/auth/config', ref).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(/^supabase\/flaky\/auth\/config: getAuthConfig \(GET \/v1\/projects\/[a-z]+\/config\/auth\) failed with HTTP 502: upstream rejected token \[secret\]/);
    expect((error as Error).message).not.toContain(TOKEN);
  });

  it('the applier retries a step whose write failed transiently, and reports each retry', async () => {
    const { emulator } = await world();
    const reporter = recordingReporter();
    const provider = providerFor(emulator.url, { reporter, client: { maxRetries: 0 } });
    const h = await harness(provider, { secrets: oauth, reporter });
    emulator.injectFault({ kind: 'status', status: 503, times: 2, match: { method: 'PATCH', path: '/v1/projects/{ref}/config/auth' } });
    const { outcome } = await h.apply(await acmeDevelopment());
    expect(outcome.status).toBe('done');
    const retries = reporter.events.filter((e) => e.type === 'step.retrying');
    expect(retries.map((e) => e.type === 'step.retrying' && e.address)).toEqual(['supabase/acme-notes-development/auth/config', 'supabase/acme-notes-development/auth/config']);
    await h.store.close();
  });

  it('a create whose answer is lost after the server accepted it is found by name: one project, the password it was created with', async () => {
    const { emulator } = await world();
    emulator.injectFault({ kind: 'acceptThenTimeout', times: 1, match: { method: 'POST', path: '/v1/projects' } });
    const reporter = recordingReporter();
    const provider = providerFor(emulator.url, { reporter, client: { timeoutMs: 1500 } });
    const h = await harness(provider, { secrets: oauth, reporter });
    const desired = (await acmeDevelopment()).filter((r) => r.kind === 'project' || r.kind === 'auth');
    const { outcome } = await h.apply(desired);
    expect(outcome.status).toBe('done');
    expect(emulator.requests.filter({ method: 'POST', path: '/v1/projects' }).map((r) => r.outcome)).toEqual(['timeout']);
    expect(emulator.state.projectsNamed('acme-notes-development')).toHaveLength(1);
    const notes = reporter.progress('supabase/acme-notes-development/project/acme-notes-development').join('\n');
    expect(notes).toMatch(/no answer to the create \(.*timed out.*\); looking the name up before trying again/);
    expect(notes).toMatch(/the create went through: project [a-z]{20}/);
    // databaseUrl carries the password the project was created with.
    const [kept] = await sqlOn(emulator, 'acme-notes-development', `select value from shipyard.credentials where name = 'postgres'`);
    const project = emulator.state.projectsNamed('acme-notes-development')[0]!;
    expect(createHash('sha256').update(String(kept!['value'])).digest('hex')).toBe(project.dbPassDigest);
    expect(actions((await h.plan(desired)).plan)).toEqual({});
    await h.store.close();
  });

  it('adopting a project Shipyard did not create: a new password it keeps (said in the plan and the apply), then 0 changes', async () => {
    const { emulator } = await world();
    await createProjectByHand(emulator, 'acme-notes-development');
    const reporter = recordingReporter();
    const provider = providerFor(emulator.url, { reporter });
    const h = await harness(provider, { secrets: oauth, reporter });
    const desired = (await acmeDevelopment()).filter((r) => r.kind === 'project');
    const address = desired[0]!.address;
    expect((await h.plan(desired)).plan.diagnostics.map((d) => d.code)).toEqual(['ownership.conflict']);
    const adopted = await h.apply(desired, { adopt: [address] });
    expect(adopted.plan.changes[0]).toMatchObject({ action: 'update', reason: 'adopt: Shipyard takes ownership', fields: [{ path: '/databasePassword', before: 'unknown to shipyard', after: PASSWORD_KEPT }] });
    expect(adopted.outcome.status).toBe('done');
    expect(reporter.progress(address).join('\n')).toContain('Shipyard did not know the database password: it set a new one and keeps it');
    const [live] = await provider.kinds.find((k) => k.kind === 'project')!.list('acme-notes-development');
    const databaseUrl = (live!.outputs!.databaseUrl as { reveal(): string }).reveal();
    const [kept] = await sqlOn(emulator, 'acme-notes-development', `select value from shipyard.credentials`);
    expect(new URL(databaseUrl).password).toBe(kept!['value']);
    // The kept password is the API roles' business no more than the table is the data API's.
    expect(await sqlOn(emulator, 'acme-notes-development', `select has_schema_privilege('service_role', 'shipyard', 'usage') as s, has_table_privilege('anon', 'shipyard.credentials', 'select') as a`)).toEqual([{ s: false, a: false }]);
    expect(actions((await h.plan(desired)).plan)).toEqual({});
    await h.store.close();
  });

  it('refuses a name that two projects share, and a name taken in another organization', async () => {
    const { emulator } = await world();
    await createProjectByHand(emulator, 'twice');
    await createProjectByHand(emulator, 'twice');
    const provider = providerFor(emulator.url);
    await expect(provider.kinds[0]!.list('twice')).rejects.toThrow(/^supabase\/twice: 2 projects are named twice \([a-z]+ in acme, [a-z]+ in acme\)/);

    await createProjectByHand(emulator, 'elsewhere', 'beta-labs');
    const h = await harness(providerFor(emulator.url)); // a new plan's reads (the last one's may serve 2 s)
    const desired: DesiredResource[] = [{ address: projectAddress('elsewhere'), provider: 'supabase', kind: 'project', scope: 'elsewhere', environment: 'x', dependsOn: [], spec: { name: 'elsewhere', organization_slug: ORG, region: 'eu-central-1', databasePassword: PASSWORD_KEPT } }];
    const { plan } = await h.plan(desired, { adopt: ['supabase/elsewhere/project/elsewhere'] });
    // Found by name in the other organization: moving it is a replacement (delete + create), which the plan marks irreversible.
    expect(plan.changes[0]).toMatchObject({ action: 'replace', irreversible: [expect.stringContaining('deletes the Supabase project')] });
    expect(plan.changes[0]!.fields.find((f) => f.path === '/organization_slug')).toMatchObject({ before: 'beta-labs', after: ORG, forcesReplacement: true });
    await h.store.close();
  });

  it('a project that appears between plan and apply is not taken over', async () => {
    const { emulator } = await world();
    const provider = providerFor(emulator.url);
    const h = await harness(provider, { secrets: oauth });
    const desired = (await acmeDevelopment()).filter((r) => r.kind === 'project');
    const planned = await h.plan(desired);
    expect(actions(planned.plan)).toEqual({ [desired[0]!.address]: 'create' });
    await createProjectByHand(emulator, 'acme-notes-development');
    const outcome = await applyPlan({ ...planned, store: h.store, secrets: secretsFromMap(oauth), fingerprints: new Fingerprinter('supabase-test-fingerprint-key'), reporter: h.reporter, actor: 'test' });
    expect(outcome.failed).toEqual([{ address: desired[0]!.address, error: expect.stringMatching(/appeared after the plan was made: plan again, and adopt it/) }]);
    expect(emulator.state.projectsNamed('acme-notes-development')).toHaveLength(1);
    await h.store.close();
  });
});
