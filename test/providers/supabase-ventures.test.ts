/**
 * Two ventures × three environments from empty (the repo's acme-notes and beta-board, written
 * in supabase-beta.ts), through the real planner and applier, on the Supabase emulator whose
 * project databases live on the test run's real PostgreSQL 15.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RlsExpectation, VentureDoc } from '../../src/model/config.ts';
import { supabaseProjectName } from '../../src/providers/supabase/desired.ts';
import { managementApiRunner, runRlsTests, withPostgres, type RlsTestResult } from '../../src/providers/supabase/rls-test.ts';
import { rlsTestCommand } from '../../src/cli/rls-test-command.ts';
import type { SupabaseProvider } from '../../src/providers/supabase/provider.ts';
import { ACME_ROWS_SQL, BETA_ROWS_SQL, betaVenture, USER_A, USER_B } from './supabase-beta.ts';
import { providerFor, TOKEN } from './supabase-env.ts';
import { actions, harness, perProjectBudget, recordingReporter, refOf, repoRoot, repoVenture, sqlOn, startSupabase, supabaseResources, type Harness, type SupabaseWorld } from './supabase-helpers.ts';

const ENVIRONMENTS = ['development', 'staging', 'production'];
const runnerSecrets: Record<string, string> = {};
for (const env of ['DEV', 'STAGING', 'PRODUCTION']) {
  for (const p of ['GOOGLE', 'GITHUB', 'AZURE']) runnerSecrets[`ACME_${p}_SECRET_${env}`] = `acme-${p.toLowerCase()}-oauth-secret-${env.toLowerCase()}-5f2c`;
  runnerSecrets[`BETA_GITHUB_SECRET_${env === 'DEV' ? 'DEVELOPMENT' : env}`] = `beta-github-oauth-secret-${env.toLowerCase()}-9d1e`;
}

/** acme-notes' own three expectations, and more over both tables, every role and both users. */
const ACME_EXPECTATIONS: RlsExpectation[] = [
  { role: 'anon', can: 'select', table: 'notes', rows: 0 },
  { role: 'anon', can: 'insert', table: 'notes', values: { owner_id: USER_A, body: 'anon' }, allowed: false },
  { role: 'anon', can: 'select', table: 'profiles', rows: 2 },
  { role: 'anon', can: 'update', table: 'profiles', values: { display_name: 'vandal' }, allowed: false },
  { role: 'authenticated', can: 'select', table: 'notes', rows: 0 },
  { role: 'authenticated', as: USER_A, can: 'select', table: 'notes', rows: 2 },
  { role: 'authenticated', as: USER_B, can: 'select', table: 'public.notes', rows: 1 },
  { role: 'authenticated', as: USER_A, can: 'insert', table: 'notes', values: { owner_id: USER_A, body: 'mine' }, allowed: true },
  { role: 'authenticated', as: USER_A, can: 'insert', table: 'notes', values: { owner_id: USER_B, body: 'forged' }, allowed: false },
  { role: 'authenticated', as: USER_A, can: 'update', table: 'notes', values: { body: 'edited' }, rows: 2 },
  { role: 'authenticated', as: USER_B, can: 'update', table: 'notes', values: { owner_id: USER_A }, allowed: false },
  { role: 'authenticated', as: USER_A, can: 'delete', table: 'notes', allowed: false },
  { role: 'authenticated', as: USER_B, can: 'select', table: 'profiles', rows: 2 },
  { role: 'authenticated', as: USER_A, can: 'update', table: 'profiles', rows: 1 },
  { role: 'service_role', can: 'select', table: 'notes', rows: 3 },
  { role: 'service_role', can: 'delete', table: 'notes', rows: 3 },
];

let world: SupabaseWorld;
let provider: SupabaseProvider;
let h: Harness;
let acme: VentureDoc;
let beta: VentureDoc;
const desired = () => supabaseResources(acme, beta);

beforeAll(async () => {
  world = await startSupabase({ rateLimit: perProjectBudget(6) });
  const reporter = recordingReporter();
  provider = providerFor(world.emulator.url, { concurrency: 4, reporter });
  h = await harness(provider, { secrets: runnerSecrets, reporter });
  acme = await repoVenture('acme-notes');
  acme.spec!.supabase!.database!.rlsTests = [...(acme.spec!.supabase!.database!.rlsTests ?? []), ...ACME_EXPECTATIONS];
  beta = betaVenture();
});
afterAll(async () => {
  await h?.store.close();
  await world?.stop();
});

const projectNames = () => [acme, beta].flatMap((doc) => ENVIRONMENTS.map((env) => supabaseProjectName(doc, env)));
const expectationsOf = (doc: VentureDoc) => doc.spec!.supabase!.database!.rlsTests!;
const failures = (results: RlsTestResult[]) => results.filter((r) => !r.passed).map((r) => `${JSON.stringify(r.expectation)}: expected ${r.expected}, got ${r.actual}`);

describe('two ventures × three environments from empty', () => {
  it('plans a create for everything, applies, every project is healthy, and a second plan shows 0 changes', async () => {
    const first = await h.apply(desired());
    expect(first.plan.diagnostics).toEqual([]);
    expect(first.plan.summary).toMatchObject({ create: desired().length, update: 0, delete: 0 });
    // 6 projects, their auth configs, 4 RLS tables and 5 policies per project.
    expect(desired()).toHaveLength(6 * (1 + 1 + 2 + 5));
    expect(first.outcome).toMatchObject({ status: 'done', failed: [], skipped: [] });

    for (const name of projectNames()) {
      expect(world.emulator.state.projectsNamed(name)).toHaveLength(1);
      expect((await provider.client.getProject('test', refOf(world.emulator, name)))?.status).toBe('ACTIVE_HEALTHY');
    }
    expect(world.emulator.state.projectsNamed('beta-board-staging')[0]).toMatchObject({ organizationSlug: 'beta-labs', region: 'us-east-1' });
    expect(h.reporter.progress('supabase/acme-notes-staging/project/acme-notes-staging').join('\n')).toMatch(/waiting for acme-notes-staging to become ACTIVE_HEALTHY[\s\S]*is ACTIVE_HEALTHY after/);

    const second = await h.plan(desired());
    expect(second.plan.diagnostics).toEqual([]);
    expect(second.plan.summary).toMatchObject({ create: 0, update: 0, replace: 0, delete: 0, noop: desired().length });
    // The OAuth client secrets come back as digests: compared through the fingerprints Shipyard kept.
    expect(second.plan.summary.unverifiable).toBe(3 * 3 + 3);
  });

  it('shows a dashboard change to a declared auth field as drift, and ignores one to an undeclared field', async () => {
    const ref = refOf(world.emulator, 'acme-notes-staging');
    world.emulator.patchAuthBehindBack(ref, { mfa_totp_enroll_enabled: false, password_min_length: 12 });
    expect(actions((await h.plan(desired())).plan)).toEqual({});

    world.emulator.patchAuthBehindBack(ref, { site_url: 'https://phishing.example' });
    const drift = (await h.plan(desired())).plan;
    expect(actions(drift)).toEqual({ 'supabase/acme-notes-staging/auth/config': 'update' });
    const change = drift.changes.find((c) => c.action === 'update')!;
    expect(change.fields.filter((f) => !f.unverifiable)).toEqual([{ path: '/site_url', before: 'https://phishing.example', after: 'https://staging.acmenotes.com' }]);

    await h.apply(desired());
    // Only the declared fields went back: the undeclared changes stay as the dashboard left them.
    expect(world.emulator.state.rawAuthConfig(ref)).toMatchObject({ site_url: 'https://staging.acmenotes.com', mfa_totp_enroll_enabled: false, password_min_length: 12 });
    expect(actions((await h.plan(desired())).plan)).toEqual({});
  });

  it('reports the outputs, and the post-apply smoke check finds the projects healthy and notes closed to anon', async () => {
    const [live] = await provider.kinds.find((k) => k.kind === 'project')!.list('acme-notes-production');
    const ref = refOf(world.emulator, 'acme-notes-production');
    const keys = world.emulator.state.keys(ref);
    expect(live!.outputs).toMatchObject({ ref, url: world.emulator.projectUrl(ref), anonKey: keys.anon, publishableKey: keys.publishable });
    expect(String(live!.outputs!.secretKey)).toBe('[secret]');
    expect((live!.outputs!.secretKey as { reveal(): string }).reveal()).toBe(keys.secret);
    expect((live!.outputs!.serviceRoleKey as { reveal(): string }).reveal()).toBe(keys.serviceRole);
    expect(live!.outputs!.poolerUrl).toBe(`postgresql://postgres.${ref}@aws-0-eu-central-1.pooler.supabase.com:6543/postgres`);
    const databaseUrl = new URL((live!.outputs!.databaseUrl as { reveal(): string }).reveal());
    expect(databaseUrl.password).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(`${databaseUrl.username}@${databaseUrl.host}`).toBe(`postgres.${ref}@aws-0-eu-central-1.pooler.supabase.com:6543`);

    for (const name of projectNames()) await sqlOn(world.emulator, name, name.startsWith('acme') ? ACME_ROWS_SQL : BETA_ROWS_SQL);
    const results = await provider.smokeCheck(desired());
    expect(results.map((r) => [r.address, r.table, r.ok])).toEqual([
      ...['development', 'production', 'staging'].map((env) => [`supabase/acme-notes-${env}/project/acme-notes-${env}`, 'public.notes', true]),
      ...['development', 'production', 'staging'].map((env) => [`supabase/beta-board-${env}/project/beta-board-${env}`, 'public.boards', true]),
    ]);
    expect(results[0]!.message).toMatch(/healthy; anon reads no rows of public\.notes/);

    // With RLS off behind Shipyard's back, the smoke check fails and the plan shows it.
    await sqlOn(world.emulator, 'acme-notes-staging', 'alter table public.notes disable row level security');
    const broken = await provider.smokeCheck(desired());
    expect(broken.find((r) => r.address.includes('acme-notes-staging'))).toMatchObject({ ok: false, rows: 1 });
    expect(actions((await h.plan(desired())).plan)).toEqual({ 'supabase/acme-notes-staging/rls/public.notes': 'update' });
    await h.apply(desired());
    expect((await provider.smokeCheck(desired())).every((r) => r.ok)).toBe(true);
  });

  it(`runs ${ACME_EXPECTATIONS.length + 3 + 8} RLS expectations on real PostgreSQL: through the Management API and on a direct connection`, async () => {
    const acmeRef = refOf(world.emulator, 'acme-notes-staging');
    const betaRef = refOf(world.emulator, 'beta-board-staging');
    const viaApi = [...(await runRlsTests(expectationsOf(acme), managementApiRunner(provider.client, acmeRef))), ...(await runRlsTests(expectationsOf(beta), managementApiRunner(provider.client, betaRef)))];
    expect(viaApi.length).toBeGreaterThanOrEqual(15);
    expect(failures(viaApi)).toEqual([]);

    const direct = (await world.emulator.state.database(acmeRef)).url!;
    const viaPostgres = await withPostgres(direct, (run) => runRlsTests(expectationsOf(acme), run));
    expect(failures(viaPostgres)).toEqual([]);
    // Every test ran in a transaction that was rolled back.
    expect(await sqlOn(world.emulator, 'acme-notes-staging', `select count(*)::int as n, count(*) filter (where body = 'a1')::int as a1 from public.notes`)).toEqual([{ n: 3, a1: 1 }]);

    // A wrong expectation fails, and says what happened.
    const wrong = await runRlsTests([{ role: 'anon', can: 'select', table: 'profiles', rows: 0 }, { role: 'anon', can: 'select', table: 'nope' }], managementApiRunner(provider.client, acmeRef));
    expect(wrong.map((r) => [r.passed, r.expected, r.actual])).toEqual([
      [false, '0 row(s)', '2 row(s)'],
      [false, 'allowed', expect.stringMatching(/^failed: 42P01 relation "public"\."nope" does not exist/)],
    ]);
  });

  it('shipyard rls-test runs the repo venture’s expectations against a project (API) and a database URL', async () => {
    const out: string[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t), cwd: repoRoot, isTTY: false, env: { SUPABASE_ACCESS_TOKEN: TOKEN, SUPABASE_API_URL: world.emulator.url } };
    expect(await rlsTestCommand.run(['--venture', 'acme-notes', '--environment', 'production'], io)).toBe(0);
    expect(out.join('')).toContain('✓ anon select public.notes: expected 0 row(s), got 0 row(s)');
    expect(out.join('')).toContain('All 3 expectation(s) hold.');

    out.length = 0;
    const url = new URL((await world.emulator.state.database(refOf(world.emulator, 'acme-notes-development'))).url!);
    url.password = 'not-a-real-password-7c1';
    expect(await rlsTestCommand.run(['--venture', 'acme-notes', '--database-url', url.toString(), '--format', 'json'], io)).toBe(0);
    const report = JSON.parse(out.join('')) as { target: string; results: RlsTestResult[] };
    expect(report.results.map((r) => r.passed)).toEqual([true, true, true]);
    expect(report.target).not.toContain('not-a-real-password-7c1');

    await expect(rlsTestCommand.run(['--venture', 'acme-notes'], io)).rejects.toThrow(/exactly one of --database-url, --project and --environment/);
  });

  it('plans exactly the edited policy (one per environment), applies it, and the reverted config restores it', async () => {
    const edited = structuredClone(acme);
    edited.spec!.supabase!.database!.tables![0]!.policies[0]!.using = '(select auth.uid()) is not null';
    const plan = (await h.plan(supabaseResources(edited, beta))).plan;
    const owners = ENVIRONMENTS.map((env) => `supabase/acme-notes-${env}/policy/public.notes/owner-read`);
    expect(actions(plan)).toEqual(Object.fromEntries(owners.map((a) => [a, 'update'])));
    for (const change of plan.changes.filter((c) => c.action === 'update')) {
      expect(change.fields).toEqual([{ path: '/using', before: 'owner_id = (select auth.uid())', after: '(select auth.uid()) is not null' }]);
    }
    expect((await h.apply(supabaseResources(edited, beta))).outcome.status).toBe('done');
    const ref = refOf(world.emulator, 'acme-notes-staging');
    const after = await runRlsTests(expectationsOf(acme), managementApiRunner(provider.client, ref));
    // Any signed-in user now reads every note: exactly the two expectations about that fail.
    expect(failures(after)).toEqual([
      expect.stringContaining(`"as":"${USER_A}","can":"select","table":"notes","rows":2}: expected 2 row(s), got 3 row(s)`),
      expect.stringContaining(`"as":"${USER_B}","can":"select","table":"public.notes","rows":1}: expected 1 row(s), got 3 row(s)`),
    ]);

    const reverted = await h.apply(desired());
    expect(actions(reverted.plan)).toEqual(Object.fromEntries(owners.map((a) => [a, 'update'])));
    expect(failures(await runRlsTests(expectationsOf(acme), managementApiRunner(provider.client, ref)))).toEqual([]);
    expect(actions((await h.plan(desired())).plan)).toEqual({});
  });

  it('a policy edited behind Shipyard’s back is drift; a cosmetic edit in the config is not', async () => {
    await sqlOn(world.emulator, 'beta-board-production', `alter policy "owner-all" on public.boards using (true)`);
    const drift = (await h.plan(desired())).plan;
    expect(actions(drift)).toEqual({ 'supabase/beta-board-production/policy/public.boards/owner-all': 'update' });
    expect(drift.changes.find((c) => c.action === 'update')!.fields).toEqual([{ path: '/using', before: 'true', after: 'owner_id = (select auth.uid())' }]);
    await h.apply(desired());

    // Same expression, other spelling: PostgreSQL prints both the same, so nothing to do.
    const respelled = structuredClone(beta);
    respelled.spec!.supabase!.database!.tables![0]!.policies[1]!.using = 'NOT   archived';
    expect(actions((await h.plan(supabaseResources(acme, respelled))).plan)).toEqual({});
  });

  it('drops a policy removed from the config, and drops and creates a renamed one', async () => {
    const changed = structuredClone(beta);
    const cards = changed.spec!.supabase!.database!.tables![1]!;
    cards.policies = cards.policies.filter((p) => p.name !== 'board-owner-read');
    cards.policies.find((p) => p.name === 'author-delete')!.name = 'author-removes';
    const { plan, outcome } = await h.apply(supabaseResources(acme, changed), { environments: ['staging'] });
    expect(actions(plan)).toEqual({
      'supabase/beta-board-staging/policy/public.cards/author-delete': 'delete',
      'supabase/beta-board-staging/policy/public.cards/author-removes': 'create',
      'supabase/beta-board-staging/policy/public.cards/board-owner-read': 'delete',
    });
    expect(outcome.failed).toEqual([]);
    expect(outcome.status).toBe('done');
    const live = await sqlOn(world.emulator, 'beta-board-staging', `select polname from pg_policy where polrelid = 'public.cards'::regclass order by 1`);
    expect(live.map((r) => r['polname'])).toEqual(['author-insert', 'author-removes']);

    const restored = await h.apply(desired(), { environments: ['staging'] });
    expect(actions(restored.plan)).toEqual({
      'supabase/beta-board-staging/policy/public.cards/author-delete': 'create',
      'supabase/beta-board-staging/policy/public.cards/author-removes': 'delete',
      'supabase/beta-board-staging/policy/public.cards/board-owner-read': 'create',
    });
    expect(actions((await h.plan(desired())).plan)).toEqual({});
  });

  it('a declared table that does not exist is a plan error that says what to do; Shipyard creates no table', async () => {
    const ghost = structuredClone(beta);
    ghost.spec!.supabase!.database!.tables!.push({ name: 'ghosts', policies: [{ name: 'ghost-read', command: 'select', roles: ['authenticated'], using: 'true' }] });
    const { plan } = await h.plan(supabaseResources(acme, ghost), { environments: ['development'] });
    const errors = plan.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => d.message).sort()).toEqual([
      expect.stringMatching(/^supabase\/beta-board-development\/policy\/public\.ghosts\/ghost-read: table public\.ghosts does not exist in project beta-board-development: .*run the app's migrations/),
      expect.stringMatching(/^supabase\/beta-board-development\/rls\/public\.ghosts: table public\.ghosts does not exist in project beta-board-development: Shipyard manages its row-level security but never creates tables/),
    ]);
    expect(await sqlOn(world.emulator, 'beta-board-development', `select to_regclass('public.ghosts') as t`)).toEqual([{ t: null }]);
  });

  it('a bad policy expression is refused at plan time with PostgreSQL’s own message, and never reaches the statement', async () => {
    const bad = structuredClone(beta);
    bad.spec!.supabase!.database!.tables![0]!.policies[0]!.using = 'owner_id = auth.nope()';
    const injected = structuredClone(beta);
    injected.spec!.supabase!.database!.tables![0]!.policies[0]!.using = 'true); drop table public.boards; --';
    const messages = async (doc: VentureDoc) =>
      (await h.plan(supabaseResources(acme, doc), { environments: ['production'] })).plan.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
    expect(await messages(bad)).toEqual([expect.stringMatching(/owner-all: .*42883: function auth\.nope\(\) does not exist/)]);
    expect(await messages(injected)).toEqual([expect.stringMatching(/owner-all: using closes a parenthesis it did not open/)]);
    expect(await sqlOn(world.emulator, 'beta-board-production', `select to_regclass('public.boards')::text as t`)).toEqual([{ t: 'boards' }]);
  });
});
