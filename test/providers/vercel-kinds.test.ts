/** Each kind's change paths against the emulator: replace, updates of declared fields, deletes, and .env.example. */
import { afterEach, describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/engine/applier.ts';
import { computePlan, type PlanOptions } from '../../src/engine/planner.ts';
import type { VentureDoc } from '../../src/model/config.ts';
import { compileVercel } from '../../src/providers/vercel/desired.ts';
import { environmentsByTarget, renderEnvExample } from '../../src/providers/vercel/env-example.ts';
import { Fingerprinter } from '../../src/secrets/fingerprint.ts';
import { secretsFromMap } from '../../src/secrets/sources.ts';
import { openSqliteStore } from '../../src/state/sqlite.ts';
import type { VercelEmulator } from '../../src/sandbox/vercel/emulator.ts';
import { recordingReporter, repoConfig, startEmulator, TEAM, ventureDoc, vercelProvider } from './vercel-helpers.ts';

const emulators: VercelEmulator[] = [];
afterEach(async () => {
  await Promise.all(emulators.splice(0).map((e) => e.stop()));
});

/** acme-notes without Supabase: a literal and a runner secret, one domain served by Vercel. */
async function smallVenture(): Promise<VentureDoc> {
  const doc = await ventureDoc('acme-notes');
  doc.metadata.name = 'kinds';
  delete doc.spec!.supabase;
  doc.spec!.vercel!.env = doc.spec!.vercel!.env!.filter((v) => v.key === 'NEXT_PUBLIC_APP_NAME' || v.key === 'STRIPE_SECRET_KEY');
  doc.spec!.vercel!.domains = [{ name: 'kinds.test', redirect: 'www-to-apex', dns: { mode: 'vercel', records: [{ type: 'TXT', name: '', value: 'hello', ttl: 60 }] } }];
  return doc;
}

async function world(emulatorOptions: Parameters<typeof startEmulator>[0] = {}) {
  const emulator = await startEmulator(emulatorOptions);
  emulators.push(emulator);
  const reporter = recordingReporter();
  const provider = vercelProvider(emulator, { reporter });
  const store = await openSqliteStore(':memory:');
  const secrets = secretsFromMap({ ACME_STRIPE_SECRET_KEY: 'sk_test_kinds_0123456789' });
  const fingerprints = new Fingerprinter('vercel-kinds-test-fingerprint-key');
  const byTarget = environmentsByTarget((await repoConfig()).environments.map((e) => e.doc));
  const desired = (doc: VentureDoc) => compileVercel(doc, byTarget, { file: 'ventures/kinds.yaml', line: () => 1 });
  const plan = (doc: VentureDoc, options: PlanOptions = {}) => computePlan({ desired: desired(doc), providers: [provider], store, secrets, fingerprints, reporter, options });
  const apply = async (doc: VentureDoc, options: PlanOptions = {}) => {
    const result = await plan(doc, options);
    const outcome = await applyPlan({ ...result, store, secrets, fingerprints, reporter, actor: 'test', retry: { baseDelayMs: 1, attempts: 2 } });
    return { plan: result.plan, outcome };
  };
  return { emulator, provider, reporter, plan, apply };
}

const actions = (p: { changes: { address: string; action: string }[] }) => Object.fromEntries(p.changes.filter((c) => c.action !== 'noop').map((c) => [c.address, c.action]));

describe('project', () => {
  it('replaces the project when its repository changes (git is linked only at creation)', async () => {
    const w = await world();
    const doc = await smallVenture();
    expect((await w.apply(doc)).outcome.status).toBe('done');
    const oldId = w.emulator.state.project('kinds', TEAM)!.id;
    doc.spec!.vercel!.project.git.repository = 'acme/kinds-v2';
    const { plan, outcome } = await w.apply(doc, { allowDestructive: true, tombstones: { addresses: new Set(['vercel/kinds/project/kinds']), environments: new Set(), ventures: new Set() } });
    const change = plan.changes.find((c) => c.address === 'vercel/kinds/project/kinds')!;
    expect(change).toMatchObject({ action: 'replace', reason: '/gitRepository/repo cannot change in place' });
    expect(change.irreversible?.[0]).toContain('deletes the project');
    expect(outcome.failed).toEqual([]);
    const live = w.emulator.state.project('kinds', TEAM)!;
    expect(live.id).not.toBe(oldId);
    expect(`${live.link?.org}/${live.link?.repo}`).toBe('acme/kinds-v2');
  });

  it('updates only the declared fields that changed, and explains a production branch it cannot set', async () => {
    const w = await world({ gitRepositories: { 'acme/notes': { defaultBranch: 'trunk' } } });
    const doc = await smallVenture();
    const first = await w.apply(doc);
    expect(first.outcome.status).toBe('done');
    expect(w.reporter.progress('vercel/kinds/project/kinds' as never)[0]).toContain('the production branch is trunk, the default branch of acme/notes; Vercel has no API to change it');

    doc.spec!.vercel!.project.buildCommand = 'npm run build:web';
    const { plan, outcome } = await w.apply(doc);
    expect(plan.changes.find((c) => c.address === 'vercel/kinds/project/kinds')!.fields.map((f) => f.path)).toEqual(['/buildCommand', '/productionBranch']);
    expect(outcome.failed.map((f) => f.error)).toEqual([expect.stringMatching(/^vercel\/kinds\/project\/kinds: the production branch is trunk/)]);
    expect(w.emulator.state.project('kinds', TEAM)!.settings.buildCommand).toBe('npm run build:web');

    doc.spec!.vercel!.project.git.productionBranch = 'trunk';
    expect(actions((await w.plan(doc)).plan)).toEqual({});
  });
});

describe('env, domain and dns-record', () => {
  it('replaces a variable that stops being sensitive, flips a redirect, updates a TTL, and deletes what left the config', async () => {
    const w = await world();
    const doc = await smallVenture();
    expect((await w.apply(doc)).outcome.status).toBe('done');

    const stripe = doc.spec!.vercel!.env!.find((v) => v.key === 'STRIPE_SECRET_KEY')!;
    stripe.sensitive = false;
    doc.spec!.vercel!.env = doc.spec!.vercel!.env!.filter((v) => v.key !== 'NEXT_PUBLIC_APP_NAME');
    doc.spec!.vercel!.domains![0]!.redirect = 'apex-to-www';
    doc.spec!.vercel!.domains![0]!.dns!.records![0]!.ttl = 300;
    const { plan, outcome } = await w.apply(doc, { allowDestructive: true });
    const dns = plan.changes.find((c) => c.kind === 'dns-record')!.address;
    expect(actions(plan)).toEqual({
      'vercel/kinds/env/development/NEXT_PUBLIC_APP_NAME': 'delete',
      'vercel/kinds/env/preview/NEXT_PUBLIC_APP_NAME': 'delete',
      'vercel/kinds/env/production/NEXT_PUBLIC_APP_NAME': 'delete',
      'vercel/kinds/env/production/STRIPE_SECRET_KEY': 'replace',
      'vercel/kinds/domain/kinds.test': 'update',
      'vercel/kinds/domain/www.kinds.test': 'update',
      [dns]: 'update',
    });
    expect(outcome.failed).toEqual([]);
    const live = w.emulator.state.project('kinds', TEAM)!;
    expect(live.envs.map((e) => [e.key, e.type])).toEqual([['STRIPE_SECRET_KEY', 'encrypted']]);
    expect(live.domains.map((d) => [d.name, d.redirect, d.redirectStatusCode])).toEqual([
      ['kinds.test', 'www.kinds.test', 308],
      ['www.kinds.test', null, null],
    ]);
    expect(w.emulator.state.records('kinds.test', TEAM).map((r) => r.ttl)).toEqual([300]);
    expect(actions((await w.plan(doc)).plan)).toEqual({});

    // A new value is a new record: the old one is deleted, the new one created.
    doc.spec!.vercel!.domains![0]!.dns!.records![0]!.value = 'hello again';
    const moved = await w.apply(doc, { allowDestructive: true });
    expect(Object.values(actions(moved.plan)).sort()).toEqual(['create', 'delete']);
    expect(w.emulator.state.records('kinds.test', TEAM).map((r) => r.value)).toEqual(['hello again']);
    expect(w.provider.client.stats.byOperation['getProjectEnv']).toBeUndefined();
  });
});

describe('.env.example', () => {
  it('lists keys, descriptions and targets, never a value', async () => {
    const config = await repoConfig();
    const doc = config.ventures.find((v) => v.doc.metadata.name === 'acme-notes')!.doc;
    const text = renderEnvExample(doc, environmentsByTarget(config.environments.map((e) => e.doc)));
    expect(text).toContain('# Pooled PostgreSQL connection string for server-side queries.\n# targets: production, preview, development (sensitive); value: output supabase.databaseUrl\nDATABASE_URL=\n');
    expect(text).toContain('# targets: production (sensitive); value: runner secret ACME_STRIPE_SECRET_KEY\nSTRIPE_SECRET_KEY=\n');
    expect(text).toContain('# targets: production, preview, development; value: set in the venture file\nNEXT_PUBLIC_APP_NAME=\n');
    expect(text).not.toContain('Acme Notes');
    expect(text.match(/^[A-Z_]+=$/gm)).toHaveLength(7);
    expect(text.split('\n').filter((l) => !l.startsWith('#') && l !== '').every((l) => l.endsWith('='))).toBe(true);
  });
});
