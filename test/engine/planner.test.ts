import { describe, expect, it } from 'vitest';
import { KNOWN_AFTER_APPLY } from '../../src/model/plan.ts';
import { renderPlanJson } from '../../src/render/plan-json.ts';
import { renderPlanMarkdown } from '../../src/render/plan-markdown.ts';
import { renderPlanText } from '../../src/render/plan-text.ts';
import { transient } from '../../src/sandbox/memory-provider.ts';
import { at, CANARY, resource, world } from './engine-helpers.ts';

const db = (extra = {}) => resource('db', 'main', { region: 'eu', size: 1, ...extra });
const app = (spec = {}) =>
  resource('app', 'web', { dbUrl: { $output: { address: at('db', 'main'), name: 'url', sensitive: false } }, dbKey: { $output: { address: at('db', 'main'), name: 'key', sensitive: true } }, token: { $secretRef: 'API_TOKEN' }, ...spec }, { dependsOn: [at('db', 'main')] });

describe('planner', () => {
  it('diffs declared fields only: live defaults and extra fields make no change', async () => {
    const w = await world();
    await w.apply([db()]);
    w.provider.editLive(at('db', 'main'), (state) => {
      state.createdAt = '2026-01-01';
      state.status = { healthy: true };
    });
    const { plan } = await w.plan([db()]);
    expect(plan.summary).toMatchObject({ update: 0, noop: 1 });
  });

  it('plans exactly the changed field, and a replacement for a field that cannot change in place', async () => {
    const w = await world();
    await w.apply([db()]);
    const resized = (await w.plan([db({ size: 2 })])).plan.changes[0]!;
    expect(resized.action).toBe('update');
    expect(resized.fields).toEqual([{ path: '/size', before: 1, after: 2 }]);
    const moved = (await w.plan([db({ region: 'us' })], { allowDestructive: true })).plan.changes[0]!;
    expect(moved.action).toBe('replace');
    expect(moved.fields[0]).toMatchObject({ path: '/region', forcesReplacement: true });
    expect(moved.irreversible).toEqual(['deletes all data']);
  });

  it('shows outputs of resources not created yet as (known after apply), then resolves them', async () => {
    const w = await world();
    const first = await w.plan([db(), app()]);
    const web = first.plan.changes.find((c) => c.address === at('app', 'web'))!;
    expect(web.after).toMatchObject({ dbUrl: KNOWN_AFTER_APPLY, dbKey: KNOWN_AFTER_APPLY, token: '[secret]' });
    const { outcome } = await w.apply([db(), app()]);
    expect(outcome.status).toBe('done');
    expect(w.provider.findAll(at('app', 'web'))[0]!.state).toMatchObject({ dbUrl: 'https://main.db.test', dbKey: `key-for-${at('db', 'main')}`, token: CANARY });
    const second = await w.plan([db(), app()]);
    expect(second.plan.summary).toMatchObject({ create: 0, update: 0, noop: 2, unverifiable: 1 });
  });

  it('never shows a secret value, and plans a masked update when the secret changes', async () => {
    const w = await world();
    await w.apply([db(), app()]);
    const rotated = await world({ secrets: { API_TOKEN: `${CANARY}-rotated` } });
    // Same live system and store, new runner secret value.
    const { computePlan } = await import('../../src/engine/planner.ts');
    const { plan } = await computePlan({ desired: [db(), app()], providers: [w.provider], store: w.store, secrets: rotated.secrets, fingerprints: w.fingerprints, reporter: { emit() {} } });
    const change = plan.changes.find((c) => c.address === at('app', 'web'))!;
    expect(change.action).toBe('update');
    expect(change.fields).toEqual([{ path: '/token', before: '[secret]', after: '[secret] (changed)', sensitive: true }]);
    for (const text of [renderPlanJson(plan), renderPlanText(plan), renderPlanMarkdown(plan), JSON.stringify(w.events)]) {
      expect(text).not.toContain(CANARY);
      expect(text).not.toContain('key-for-');
    }
    const stateDump = JSON.stringify(await w.store.listInventory()) + JSON.stringify(await w.store.readJournal());
    expect(stateDump).not.toContain(CANARY);
  });

  it('treats a write-only field that is not a secret as unverifiable, not as a change', async () => {
    const w = await world();
    await w.apply([resource('app', 'plain', { token: 'not-a-secret', n: 1 })]);
    const { plan } = await w.plan([resource('app', 'plain', { token: 'not-a-secret', n: 1 })]);
    expect(plan.changes[0]).toMatchObject({ action: 'noop', fields: [{ path: '/token', unverifiable: true }] });
    expect(plan.summary.unverifiable).toBe(1);
  });

  it('reports what it does not own and never deletes it', async () => {
    const w = await world();
    await w.apply([db()]);
    w.provider.createUnowned(at('db', 'hand-made'), { note: 'made by hand' });
    const { plan, outcome } = await w.apply([]  , { allowDestructive: true });
    expect(plan.unmanaged).toEqual([{ address: at('db', 'hand-made'), environment: 'dev', note: 'not created by Shipyard: left alone' }]);
    expect(outcome.succeeded).toEqual([at('db', 'main')]);
    expect(w.provider.findAll(at('db', 'hand-made'))).toHaveLength(1);
  });

  it('deletes nothing in a run where a read failed', async () => {
    const w = await world();
    await w.apply([db(), resource('thing', 'a', { n: 1 }), resource('thing', 'b', { n: 1 })]);
    w.provider.inject({ match: (op) => op.action === 'list' && 'scope' in op, error: () => new Error('503 from the API'), times: 1 });
    const { plan } = await w.plan([resource('thing', 'a', { n: 1 })], { allowDestructive: true });
    expect(plan.complete).toBe(false);
    expect(plan.diagnostics.map((d) => d.code)).toContain('read.failed');
    // Either the failing read hid the deletes, or the safety rule blocks them.
    const deletes = plan.changes.filter((c) => c.action === 'delete');
    if (deletes.length > 0) expect(plan.diagnostics.map((d) => d.code)).toContain('safety.read-failed');
  });

  it('needs a tombstone to delete a protected resource', async () => {
    const w = await world();
    await w.apply([db({}), resource('thing', 'x', { n: 1 })].map((r) => ({ ...r, protected: r.kind === 'db' })));
    const blocked = await w.plan([resource('thing', 'x', { n: 1 })], { allowDestructive: true });
    expect(blocked.plan.diagnostics.map((d) => d.code)).toEqual(['safety.protected']);
    expect(blocked.plan.diagnostics[0]!.hint).toContain('tombstone');
    const allowed = await w.plan([resource('thing', 'x', { n: 1 })], { allowDestructive: true, tombstones: { addresses: new Set([at('db', 'main')]), environments: new Set(), ventures: new Set() } });
    expect(allowed.plan.diagnostics).toEqual([]);
  });

  it('fails closed above the delete threshold and on any delete in a protected environment', async () => {
    const w = await world();
    const things = ['a', 'b', 'c', 'd'].map((n) => resource('thing', n, { n: 1 }));
    await w.apply(things);
    expect((await w.plan(things.slice(1))).plan.diagnostics).toEqual([]); // 1 of 4 = 25%: allowed
    const twoOfFour = await w.plan(things.slice(2));
    expect(twoOfFour.plan.diagnostics.map((d) => d.code)).toEqual(['safety.threshold']);
    expect((await w.plan(things.slice(2), { allowDestructive: true })).plan.diagnostics).toEqual([]);
    const prod = await w.plan(things.slice(1), { protectedEnvironments: new Set(['dev']) });
    expect(prod.plan.diagnostics.map((d) => d.code)).toEqual(['safety.protected-environment']);
  });

  it('prints a dependency cycle', async () => {
    const w = await world();
    const a = resource('thing', 'a', { n: 1 }, { dependsOn: [at('thing', 'b')] });
    const b = resource('thing', 'b', { n: 1 }, { dependsOn: [at('thing', 'a')] });
    const { plan } = await w.plan([a, b]);
    expect(plan.diagnostics[0]).toMatchObject({ code: 'graph.cycle', message: `dependency cycle: ${at('thing', 'a')} → ${at('thing', 'b')} → ${at('thing', 'a')}` });
  });

  it('is deterministic, and its fingerprint follows the live state', async () => {
    const w = await world();
    await w.apply([db()]);
    const one = await w.plan([db({ size: 3 }), resource('thing', 'z', { n: 1 }), resource('thing', 'y', { n: 2 })]);
    const two = await w.plan([resource('thing', 'y', { n: 2 }), resource('thing', 'z', { n: 1 }), db({ size: 3 })]);
    expect(renderPlanJson(two.plan)).toBe(renderPlanJson(one.plan));
    w.provider.editLive(at('db', 'main'), (state) => {
      state.size = 2;
    });
    const three = await w.plan([db({ size: 3 }), resource('thing', 'z', { n: 1 }), resource('thing', 'y', { n: 2 })]);
    expect(three.plan.fingerprint).not.toBe(one.plan.fingerprint);
  });

  it('reads each (kind, scope) once', async () => {
    const w = await world();
    await w.apply([db(), ...['a', 'b', 'c'].map((n) => resource('thing', n, { n: 1 })), resource('thing', 'p', { n: 1 }, { environment: 'prod', scope: 'prod', address: at('thing', 'p', 'prod') })]);
    w.provider.resetCounters();
    await w.plan([db(), ...['a', 'b', 'c'].map((n) => resource('thing', n, { n: 1 })), resource('thing', 'p', { n: 1 }, { environment: 'prod', scope: 'prod', address: at('thing', 'p', 'prod') })]);
    expect(w.provider.calls.list).toBe(3); // db/dev, thing/dev, thing/prod
  });
});

describe('applier', () => {
  it('applies producers before consumers and deletes in reverse order', async () => {
    const w = await world();
    const order: string[] = [];
    w.provider.onWrite((op) => order.push(`${op.action} ${op.address}`));
    await w.apply([db(), app()]);
    expect(order).toEqual([`create ${at('db', 'main')}`, `create ${at('app', 'web')}`]);
    order.length = 0;
    await w.apply([], { allowDestructive: true });
    expect(order).toEqual([`delete ${at('app', 'web')}`, `delete ${at('db', 'main')}`]);
  });

  it('retries transient errors honouring Retry-After', async () => {
    const w = await world();
    w.provider.inject({ match: (op) => op.action === 'create', error: transient('429 Too Many Requests', 5), times: 2 });
    const { outcome } = await w.apply([db()]);
    expect(outcome.status).toBe('done');
    expect(w.events.filter((e) => e.type === 'step.retrying').map((e) => (e as { delayMs: number }).delayMs)).toEqual([5, 5]);
    expect(w.provider.findAll(at('db', 'main'))).toHaveLength(1);
  });

  it('journals every step with the plan fingerprint and releases the lock', async () => {
    const w = await world();
    const { plan, outcome } = await w.apply([db(), app()]);
    const journal = await w.store.readJournal({ runId: outcome.runId });
    expect(journal.map((r) => `${r.outcome} ${r.address}`)).toEqual([`started ${at('db', 'main')}`, `succeeded ${at('db', 'main')}`, `started ${at('app', 'web')}`, `succeeded ${at('app', 'web')}`]);
    expect(new Set(journal.map((r) => r.planFingerprint))).toEqual(new Set([plan.fingerprint]));
    expect(await w.store.listLocks()).toEqual([]);
  });

  it('refuses a plan with errors', async () => {
    const w = await world();
    const a = resource('thing', 'a', { n: 1 }, { dependsOn: [at('thing', 'b')] });
    const b = resource('thing', 'b', { n: 1 }, { dependsOn: [at('thing', 'a')] });
    await expect(w.apply([a, b])).rejects.toThrow(/dependency cycle/);
    expect(w.provider.writeCalls).toBe(0);
  });
});
