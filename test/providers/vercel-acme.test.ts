/**
 * The repo's own sample venture (ventures/acme-notes.yaml) from empty, through the real engine,
 * the real SDK and the emulator. Supabase outputs come from a stub Supabase provider (only its
 * projects), so they flow through the planner and applier exactly as in production.
 */
import { Vercel } from '@vercel/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/engine/applier.ts';
import { computePlan, type PlanOptions } from '../../src/engine/planner.ts';
import type { Address } from '../../src/model/address.ts';
import type { Reporter } from '../../src/model/events.ts';
import type { Provider } from '../../src/model/provider.ts';
import type { DesiredResource } from '../../src/model/resource.ts';
import { renderPlanJson } from '../../src/render/plan-json.ts';
import { renderPlanMarkdown } from '../../src/render/plan-markdown.ts';
import { renderPlanText } from '../../src/render/plan-text.ts';
import { Fingerprinter } from '../../src/secrets/fingerprint.ts';
import { secretsFromMap } from '../../src/secrets/sources.ts';
import { openSqliteStore } from '../../src/state/sqlite.ts';
import type { VercelEmulator } from '../../src/sandbox/vercel/emulator.ts';
import type { ResponseRecord } from '../../src/sandbox/emulator-kit/server.ts';
import { recordingReporter, startEmulator, supabaseStub, TEAM, TOKEN, ventureResources, vercelProvider } from './vercel-helpers.ts';

const CANARY = 'sk_live_canary_4e1b7d0c_do_not_print';
const CANARY_ROTATED = 'sk_live_canary_rotated_9a2f55e1_do_not_print';

const emulators: VercelEmulator[] = [];
afterEach(async () => {
  await Promise.all(emulators.splice(0).map((e) => e.stop()));
});

async function world(options: { emulator?: Parameters<typeof startEmulator>[0]; reporter?: Reporter } = {}) {
  const emulator = await startEmulator(options.emulator);
  emulators.push(emulator);
  const responses: ResponseRecord[] = [];
  emulator.onResponse((r) => responses.push(r));
  const reporter = options.reporter ?? recordingReporter();
  const vercel = vercelProvider(emulator, { reporter });
  const supabase = supabaseStub();
  const providers: Provider[] = [vercel, supabase];
  const store = await openSqliteStore(':memory:');
  const runner: Record<string, string> = { ACME_STRIPE_SECRET_KEY: CANARY };
  const secrets = secretsFromMap(runner);
  const fingerprints = new Fingerprinter('vercel-acme-test-fingerprint-key');
  const desired = await ventureResources('acme-notes');
  const plan = (resources: DesiredResource[] = desired, planOptions: PlanOptions = {}) =>
    computePlan({ desired: resources, providers, store, secrets, fingerprints, reporter, options: planOptions });
  const apply = async (resources: DesiredResource[] = desired, planOptions: PlanOptions = {}) => {
    const result = await plan(resources, planOptions);
    const outcome = await applyPlan({ ...result, store, secrets, fingerprints, reporter, actor: 'test', retry: { baseDelayMs: 10 } });
    return { plan: result.plan, outcome };
  };
  const sdk = new Vercel({ bearerToken: TOKEN, serverURL: emulator.url });
  return { emulator, responses, vercel, supabase, store, runner, desired, plan, apply, sdk, reporter };
}

const vercelChanges = (p: { changes: { provider: string; action: string; address: string }[] }) =>
  Object.fromEntries(p.changes.filter((c) => c.provider === 'vercel' && c.action !== 'noop').map((c) => [c.address, c.action]));

describe('acme-notes from empty', () => {
  it('plans, applies, and then plans 0 changes with one list call per kind and scope', async () => {
    const w = await world();
    const vercelDesired = w.desired.filter((r) => r.provider === 'vercel');
    expect(vercelDesired.map((r) => r.kind).sort()).toEqual([...Array(2).fill('dns-record'), ...Array(2).fill('domain'), ...Array(19).fill('env'), 'project']);

    const first = await w.apply();
    expect(first.plan.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(Object.values(vercelChanges(first.plan)).every((a) => a === 'create')).toBe(true);
    expect(Object.keys(vercelChanges(first.plan))).toHaveLength(24);
    expect(first.outcome.failed).toEqual([]);
    expect(first.outcome.status).toBe('done');

    const live = w.emulator.state.project('acme-notes', TEAM)!;
    expect(live.settings).toMatchObject({ framework: 'nextjs', nodeVersion: '24.x', rootDirectory: 'apps/web', installCommand: 'npm ci', previewDeploymentsDisabled: false });
    expect(live.link).toMatchObject({ type: 'github', org: 'acme', repo: 'notes', productionBranch: 'main' });
    expect(live.envs).toHaveLength(19);
    // Sensitive where Vercel allows it; development cannot hold sensitive variables.
    const typeOf = (key: string, target: string) => live.envs.find((e) => e.key === key && e.target.includes(target as never))?.type;
    expect([typeOf('DATABASE_URL', 'production'), typeOf('DATABASE_URL', 'preview'), typeOf('DATABASE_URL', 'development')]).toEqual(['sensitive', 'sensitive', 'encrypted']);
    expect(live.envs.find((e) => e.key === 'STRIPE_SECRET_KEY')).toMatchObject({ target: ['production'], value: CANARY, type: 'sensitive' });
    expect(live.domains.map((d) => [d.name, d.redirect, d.redirectStatusCode])).toEqual([
      ['acmenotes.com', null, null],
      ['www.acmenotes.com', 'acmenotes.com', 308],
    ]);
    expect(w.emulator.state.records('acmenotes.com', TEAM).map((r) => `${r.type} ${r.name || '@'} ${r.value}`).sort()).toEqual(['MX @ mx.mailhost.example', 'TXT @ v=spf1 include:mailhost.example ~all']);

    w.vercel.client.resetStats();
    const before = w.emulator.requests.all().length;
    const second = await w.plan();
    expect(vercelChanges(second.plan)).toEqual({});
    expect(second.plan.summary).toMatchObject({ create: 0, update: 0, replace: 0, delete: 0 });
    // Sensitive values cannot be read back: drift there is reported as unverifiable, never silently "equal".
    expect(second.plan.summary.unverifiable).toBe(7);
    // Minimum: project, env and domain lists of the project, and the records of its zone.
    expect(w.vercel.client.stats.byOperation).toEqual({ getProject: 1, filterProjectEnvs: 1, getProjectDomains: 1, getRecords: 1 });
    expect(w.emulator.requests.all().slice(before).map((r) => r.method)).toEqual(['GET', 'GET', 'GET', 'GET']);

    const writesBefore = w.emulator.requests.all().filter((r) => r.method !== 'GET').length;
    expect((await w.apply()).outcome.status).toBe('nothing-to-do');
    expect(w.emulator.requests.all().filter((r) => r.method !== 'GET').length).toBe(writesBefore);
  });
});

describe('secrets', () => {
  it('rotates a sensitive variable when its source changes, and never prints the value', async () => {
    const reporter = recordingReporter();
    const w = await world({ reporter });
    await w.apply();
    const stripe = 'vercel/acme-notes/env/production/STRIPE_SECRET_KEY' as Address;
    const fingerprintBefore = (await w.store.listInventory()).find((e) => e.address === stripe)!.fingerprints['/value'];

    w.runner.ACME_STRIPE_SECRET_KEY = CANARY_ROTATED;
    const rotation = await w.plan();
    expect(vercelChanges(rotation.plan)).toEqual({ [stripe]: 'update' });
    const change = rotation.plan.changes.find((c) => c.address === stripe)!;
    expect(change.fields).toEqual([{ path: '/value', before: '[secret]', after: '[secret] (changed)', sensitive: true }]);
    const outcome = await applyPlan({ ...rotation, store: w.store, secrets: secretsFromMap(w.runner), fingerprints: new Fingerprinter('vercel-acme-test-fingerprint-key'), reporter, actor: 'test' });
    expect(outcome.status).toBe('done');
    expect(w.emulator.state.project('acme-notes', TEAM)!.envs.find((e) => e.key === 'STRIPE_SECRET_KEY')!.value).toBe(CANARY_ROTATED);
    const fingerprintAfter = (await w.store.listInventory()).find((e) => e.address === stripe)!.fingerprints['/value'];
    expect(fingerprintAfter).toMatch(/^hmac-sha256:/);
    expect(fingerprintAfter).not.toBe(fingerprintBefore);
    expect((await w.plan()).plan.summary).toMatchObject({ create: 0, update: 0, delete: 0 });

    // Nowhere a person, a log or the state store could see: plan renderings, events, journal, inventory, API answers.
    const places = {
      text: renderPlanText(rotation.plan),
      markdown: renderPlanMarkdown(rotation.plan),
      json: renderPlanJson(rotation.plan),
      events: JSON.stringify(reporter.events),
      journal: JSON.stringify(await w.store.readJournal()),
      inventory: JSON.stringify(await w.store.listInventory()),
      api: JSON.stringify(w.responses.map((r) => r.body)),
    };
    for (const [where, text] of Object.entries(places)) {
      expect(text.includes(CANARY), `${where} holds the old value`).toBe(false);
      expect(text.includes(CANARY_ROTATED), `${where} holds the new value`).toBe(false);
    }
    expect(places.text).toContain('STRIPE_SECRET_KEY');
  });
});

describe('hand edits', () => {
  it('reports a hand-added variable as unmanaged and keeps it; restores a hand-edited plain one', async () => {
    const w = await world();
    await w.apply();
    await w.sdk.projects.createProjectEnv({ idOrName: 'acme-notes', teamId: TEAM, requestBody: { key: 'HAND_MADE', value: 'by a human', type: 'plain', target: ['production'] } });
    const appName = w.emulator.state.project('acme-notes', TEAM)!.envs.find((e) => e.key === 'NEXT_PUBLIC_APP_NAME' && e.target.includes('production'))!;
    await w.sdk.projects.editProjectEnv({ idOrName: 'acme-notes', id: appName.id, teamId: TEAM, requestBody: { value: 'Hacked Notes' } });

    const drift = await w.plan();
    const name = 'vercel/acme-notes/env/production/NEXT_PUBLIC_APP_NAME';
    expect(vercelChanges(drift.plan)).toEqual({ [name]: 'update' });
    expect(drift.plan.changes.find((c) => c.address === name)!.fields).toEqual([{ path: '/value', before: 'Hacked Notes', after: 'Acme Notes' }]);
    expect(drift.plan.unmanaged).toEqual([{ address: 'vercel/acme-notes/env/production/HAND_MADE', environment: 'production', note: 'not created by Shipyard: left alone' }]);

    const { outcome } = await w.apply();
    expect(outcome.status).toBe('done');
    const envs = w.emulator.state.project('acme-notes', TEAM)!.envs;
    expect(envs.find((e) => e.id === appName.id)!.value).toBe('Acme Notes');
    expect(envs.find((e) => e.key === 'HAND_MADE')?.value).toBe('by a human');
    const after = await w.plan();
    expect(vercelChanges(after.plan)).toEqual({});
    expect(after.plan.unmanaged.map((u) => u.address)).toEqual(['vercel/acme-notes/env/production/HAND_MADE']);
  });
});

describe('a hostile API', () => {
  it('completes the apply through a 429 storm, injected 500s, resets and lost answers, then converges', async () => {
    // 3 requests per endpoint per second: almost every write batch hits the limit.
    const w = await world({ emulator: { rateLimit: { limit: 3, windowMs: 1000 }, seed: 7 } });
    w.emulator.injectFault({ kind: 'status', status: 500, probability: 0.15 });
    w.emulator.injectFault({ kind: 'status', status: 503, probability: 0.05, headers: { 'retry-after': '0' } });
    w.emulator.injectFault({ kind: 'reset', probability: 0.05 });
    // Writes the server performed but whose answers were lost: retries must not duplicate.
    w.emulator.injectFault({ kind: 'acceptThenTimeout', after: 'reset', times: 1, match: { method: 'POST', path: '/v11/projects' } });
    w.emulator.injectFault({ kind: 'acceptThenTimeout', after: 'reset', times: 2, match: { method: 'POST', path: '/v10/projects/{idOrName}/env' } });
    w.emulator.injectFault({ kind: 'acceptThenTimeout', after: 'reset', times: 1, match: { method: 'POST', path: '/v2/domains/{domain}/records' } });
    w.emulator.injectFault({ kind: 'acceptThenTimeout', after: 'reset', times: 1, match: { method: 'POST', path: '/v10/projects/{idOrName}/domains' } });

    const { outcome } = await w.apply();
    expect(outcome.failed).toEqual([]);
    expect(outcome.status).toBe('done');
    const statuses = w.emulator.requests.all().map((r) => r.status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 500).length).toBeGreaterThan(0);
    expect(w.emulator.requests.all().filter((r) => r.outcome === 'reset').length).toBeGreaterThan(0);
    expect(w.vercel.client.stats.retries).toBeGreaterThan(0);
    // The lost creates were retried into 409s and taken over, not duplicated.
    const lost = w.emulator.requests.all().filter((r) => r.fault === 'acceptThenTimeout').map((r) => r.route ?? r.path);
    expect(lost).toHaveLength(5);
    expect(w.emulator.requests.filter({ method: 'POST', status: 409 }).length).toBeGreaterThanOrEqual(2);

    w.emulator.faults.clear();
    const live = w.emulator.state.project('acme-notes', TEAM)!;
    expect(w.emulator.state.projects(TEAM)).toHaveLength(1);
    expect(live.envs).toHaveLength(19);
    expect(new Set(live.envs.map((e) => `${e.key}/${e.target.join()}`)).size).toBe(19);
    expect(w.emulator.state.records('acmenotes.com', TEAM)).toHaveLength(2);
    expect((await w.plan()).plan.summary).toMatchObject({ create: 0, update: 0, replace: 0, delete: 0 });
  });
});
