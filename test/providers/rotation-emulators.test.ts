/**
 * Rotation against the Vercel and Supabase emulators, through the CLI and the real providers:
 * during the grace period a consumer holding either the old or the new value keeps working;
 * after it, only the new one does. The consumers are real: the running production deployment
 * (whose variables the emulator fixes at build time, as Vercel does) checks a session token
 * against SESSION_SECRET and SESSION_SECRET_PREVIOUS, and supabase-js calls the project's data
 * API with the secret key the deployment was built with.
 */
import { createHmac } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createSupabaseProvider } from '../../src/providers/supabase/provider.ts';
import { createVercelProvider } from '../../src/providers/vercel/provider.ts';
import { rotatableSecrets } from '../../src/providers/rotatable-secrets.ts';
import { sandboxMigrations, withMigrations } from '../../src/sandbox/app-migrations.ts';
import { createSupabaseEmulator, type SupabaseEmulator } from '../../src/sandbox/supabase/emulator.ts';
import { PgliteBackend } from '../../src/sandbox/supabase/pglite-backend.ts';
import { createVercelEmulator, type VercelEmulator } from '../../src/sandbox/vercel/emulator.ts';
import type { DeploymentRecord } from '../../src/sandbox/vercel/store.ts';
import { Fingerprinter } from '../../src/secrets/fingerprint.ts';
import { rotateSecrets } from '../../src/secrets/rotation.ts';
import { secretsFromMap } from '../../src/secrets/sources.ts';
import { openSqliteStore } from '../../src/state/sqlite.ts';

const repo = new URL('../../', import.meta.url).pathname;
const TOKEN = 'rotation-test-token-not-a-credential';
const TEAM = 'team_rotation';
const FINGERPRINT_KEY = 'rotation-test-fingerprint-key';
const CANARY = 'canary-vercel-rotation-5d2e-do-not-leak';
const DAY = 86_400_000;

let work: string;
let vercel: VercelEmulator;
let supabase: SupabaseEmulator;
let env: NodeJS.ProcessEnv;

/** The sample venture, plus a variable fed by the Supabase secret key and rotation policies for both. */
function ventureYaml(): string {
  let text = readFileSync(path.join(repo, 'ventures/acme-notes.yaml'), 'utf8');
  if (!/key: SESSION_SECRET[\s\S]*?rotation:/.test(text.split('STRIPE_SECRET_KEY')[0]!)) {
    text = text.replace('value: { generate: { length: 48 } }', 'value: { generate: { length: 48 } }\n        rotation: { every: 30d, grace: 7d }');
  }
  text = text.replace('      - key: NEXT_PUBLIC_APP_NAME', [
    '      - key: SUPABASE_SECRET_KEY',
    '        description: Secret API key for server-side admin jobs.',
    '        sensitive: true',
    '        value: { output: supabase.secretKey }',
    '      - key: NEXT_PUBLIC_APP_NAME',
  ].join('\n'));
  return text.replace('    region: eu-central-1\n', '    region: eu-central-1\n    rotation: { every: 90d, grace: 2d }\n');
}

async function cli(...argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd: work, env, isTTY: false });
  return { status, stdout, stderr };
}

const productionDeployment = (): DeploymentRecord => vercel.state.deployments(TEAM).find((d) => d.name === 'acme-notes' && d.target === 'production')!;

/** The app's session check, as a Next.js app does it during a rotation: either secret signs a valid cookie. */
function sessionAccepted(deployment: DeploymentRecord, cookie: { payload: string; mac: string }): boolean {
  return ['SESSION_SECRET', 'SESSION_SECRET_PREVIOUS'].some((key) => {
    const secret = deployment.env[key];
    return secret !== undefined && createHmac('sha256', secret).update(cookie.payload).digest('hex') === cookie.mac;
  });
}
const signCookie = (secret: string, payload: string) => ({ payload, mac: createHmac('sha256', secret).update(payload).digest('hex') });

/** A server-side job with the key a deployment was built with: can it read the data API? */
async function keyWorks(deployment: DeploymentRecord): Promise<boolean> {
  const ref = (await (await fetch(`${supabase.url}/v1/projects`, { headers: { authorization: `Bearer ${TOKEN}` } })).json() as { ref: string; name: string }[]).find((p) => p.name === 'acme-notes-production')!.ref;
  const client = createClient(supabase.projectUrl(ref), deployment.env['SUPABASE_SECRET_KEY']!, { auth: { persistSession: false } });
  const { error } = await client.from('notes').select('id');
  return error === null;
}

/** The same wiring as the CLI, with the clock moved: the CLI has no clock option on purpose. */
async function rotateAt(now: Date, request: { names?: string[]; due?: boolean }) {
  const config = await loadConfig(work);
  const store = await openSqliteStore(path.join(work, 'state.db'));
  try {
    const providers = [
      createVercelProvider({ token: TOKEN, teamId: TEAM, serverURL: vercel.url }),
      createSupabaseProvider({ token: TOKEN, apiUrl: supabase.url, projectUrl: (ref) => supabase.projectUrl(ref) }),
    ];
    const secrets = rotatableSecrets({
      environments: config.environments.map((e) => e.doc), ventures: config.ventures.map((v) => v.doc), providers, store,
      fingerprints: new Fingerprinter(FINGERPRINT_KEY), lookup: secretsFromMap(env).lookup, progress: () => undefined,
    }, 'production');
    return await rotateSecrets(secrets, { ...request, now });
  } finally {
    await store.close();
  }
}

describe('rotation against the Vercel and Supabase emulators', () => {
  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'shipyard-rotation-'));
    cpSync(path.join(repo, 'environments'), path.join(work, 'environments'), { recursive: true });
    cpSync(path.join(repo, 'schemas'), path.join(work, 'schemas'), { recursive: true });
    mkdirSync(path.join(work, 'ventures'));
    writeFileSync(path.join(work, 'ventures/acme-notes.yaml'), ventureYaml());
    const config = await loadConfig(work);
    vercel = createVercelEmulator({ tokens: [TOKEN], teams: [{ id: TEAM, slug: 'rotation' }], gitRepositories: { 'acme/notes': { defaultBranch: 'main' } } });
    await vercel.start();
    supabase = createSupabaseEmulator({ tokens: [TOKEN], organizations: ['acme'], backend: withMigrations(new PgliteBackend(), sandboxMigrations(config)) });
    await supabase.start();
    env = {
      PATH: process.env.PATH,
      SHIPYARD_PROVIDERS: 'kubernetes=sandbox,vercel=live,supabase=live', SHIPYARD_SANDBOX_SECRETS: '1',
      VERCEL_TOKEN: TOKEN, VERCEL_TEAM_ID: TEAM, VERCEL_API_URL: vercel.url,
      SUPABASE_ACCESS_TOKEN: TOKEN, SUPABASE_API_URL: supabase.url, SUPABASE_PROJECT_URL: supabase.projectUrl('{ref}'),
      SHIPYARD_SANDBOX_DIR: path.join(work, 'sandbox'), SHIPYARD_STATE: `sqlite:${path.join(work, 'state.db')}`,
      SHIPYARD_FINGERPRINT_KEY: FINGERPRINT_KEY, ACME_STRIPE_SECRET_KEY: CANARY,
    };
    const applied = await cli('apply', '--yes');
    expect(applied.status, applied.stdout + applied.stderr).toBe(0);
    // The app is live: its production deployment was built with the variables Shipyard wrote.
    vercel.simulateGitPush({ repo: 'acme/notes', branch: 'main', sha: 'a'.repeat(40) });
  }, 120_000);

  afterAll(async () => {
    await vercel?.stop();
    await supabase?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('lists the rotated secrets of an environment with their schedule, never a value', async () => {
    const list = await cli('secrets', 'list', '--env', 'production');
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^acme-notes\/SESSION_SECRET {2}generated \(48 base64url\) {2}vercel\/acme-notes\/env\/production\/SESSION_SECRET {2}fingerprint hmac-sha256:[\w-]{12} {2}since \d{4}-.* next rotation \d{4}-/m);
    expect(list.stdout).toMatch(/^acme-notes\/supabase\.secretKey {2}Supabase secret API key of acme-notes-production {2}supabase\/acme-notes-production\/api-key\/secret {2}fingerprint hmac-sha256:[\w-]{12} .* next rotation \d{4}-/m);
    // The baseline secrets of the (sandbox) Kubernetes environment are listed from the state store.
    expect(list.stdout).toMatch(/^database-url {2}runner secret DATABASE_URL_PRODUCTION {2}kubernetes\//m);
    const values = Object.values(productionDeployment().env);
    for (const value of values.filter((v) => v.length > 20)) expect(list.stdout).not.toContain(value);
  });

  it('keeps the old session secret and the old Supabase key working through the grace period, then only the new ones', async () => {
    const before = productionDeployment();
    const oldSecret = before.env['SESSION_SECRET']!;
    const oldCookie = signCookie(oldSecret, 'user=42');
    expect(sessionAccepted(before, oldCookie)).toBe(true);
    expect(await keyWorks(before)).toBe(true);

    const rotated = await cli('secrets', 'rotate', '--env', 'production', '--venture', 'acme-notes', '--name', 'SESSION_SECRET', '--name', 'supabase.secretKey');
    expect(rotated.status, rotated.stdout + rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(/^rotated +vercel\/acme-notes\/env\/production\/SESSION_SECRET: new value published as SESSION_SECRET; the previous one stays as SESSION_SECRET_PREVIOUS until .*production redeployed/m);
    expect(rotated.stdout).toMatch(/^rotated +supabase\/acme-notes-production\/api-key\/secret: new secret key shipyard_\d{8}t\d{6}z_[0-9a-f]{4}; default keeps working until .* Delivered to vercel\/acme-notes\/env\/production\/SUPABASE_SECRET_KEY: SUPABASE_SECRET_KEY updated; production redeployed/m);

    // During the grace period: the new deployment accepts cookies signed with either secret, and both keys work.
    const during = productionDeployment();
    expect(during.uid).not.toBe(before.uid);
    expect(during.env['SESSION_SECRET']).not.toBe(oldSecret);
    expect(during.env['SESSION_SECRET_PREVIOUS']).toBe(oldSecret);
    expect(sessionAccepted(during, oldCookie)).toBe(true);
    expect(sessionAccepted(during, signCookie(during.env['SESSION_SECRET']!, 'user=42'))).toBe(true);
    expect(during.env['SUPABASE_SECRET_KEY']).not.toBe(before.env['SUPABASE_SECRET_KEY']);
    expect(await keyWorks(before)).toBe(true);
    expect(await keyWorks(during)).toBe(true);

    // The plan agrees: nothing to change, and the previous value is explained, not adopted or deleted.
    const plan = await cli('plan', '--env', 'production', '--detailed-exitcode');
    expect(plan.status, plan.stdout).toBe(0);
    expect(plan.stdout).toContain('SESSION_SECRET_PREVIOUS');
    expect(plan.stdout).toContain('previous value of SESSION_SECRET, kept by a rotation until');
    // Idempotent: nothing is due now, so a second run changes nothing.
    const again = await cli('secrets', 'rotate', '--env', 'production', '--due');
    expect(again.stdout).not.toMatch(/^(rotated|retired)/m);
    expect(productionDeployment().uid).toBe(during.uid);

    // After the grace period (7 days for the session secret, 2 for the key): only the new values work.
    const results = await rotateAt(new Date(Date.now() + 8 * DAY), { due: true });
    expect(results.filter((r) => r.action === 'retired').map((r) => r.name).sort()).toEqual(['SESSION_SECRET', 'supabase.secretKey']);
    const after = productionDeployment();
    expect(after.uid).not.toBe(during.uid);
    expect(after.env['SESSION_SECRET_PREVIOUS']).toBeUndefined();
    expect(sessionAccepted(after, oldCookie)).toBe(false);
    expect(sessionAccepted(after, signCookie(during.env['SESSION_SECRET']!, 'user=42'))).toBe(true);
    expect(await keyWorks(before)).toBe(false);
    expect(await keyWorks(after)).toBe(true);
    expect(vercel.state.project('acme-notes', TEAM)!.envs.map((e) => e.key)).not.toContain('SESSION_SECRET_PREVIOUS');
    expect((await cli('plan', '--env', 'production', '--detailed-exitcode')).status).toBe(0);

    // No value in any output, nor in the state store's files (inventory and the rotation's journal entries).
    const stateFiles = readdirSync(work).filter((f) => f.startsWith('state.db')).map((f) => readFileSync(path.join(work, f)).toString('latin1'));
    expect(stateFiles.join('')).toContain('shipyard_'); // the journal recorded the rotation
    for (const text of [...[rotated, plan, again].map((o) => o.stdout + o.stderr), ...stateFiles]) {
      for (const value of [oldSecret, during.env['SESSION_SECRET']!, before.env['SUPABASE_SECRET_KEY']!, during.env['SUPABASE_SECRET_KEY']!, CANARY]) expect(text).not.toContain(value);
    }
  });

  it('revokes a compromised Supabase key at once and says what it breaks', async () => {
    const before = productionDeployment();
    const revoked = await cli('secrets', 'revoke', '--env', 'production', '--name', 'supabase.secretKey');
    expect(revoked.status, revoked.stdout + revoked.stderr).toBe(0);
    expect(revoked.stdout).toMatch(/^revoked +supabase\/acme-notes-production\/api-key\/secret: new secret key shipyard_\w+; shipyard_\w+ is deleted: anything still using it .* gets 401 now/m);
    expect(await keyWorks(before)).toBe(false);
    expect(await keyWorks(productionDeployment())).toBe(true);
    expect((await cli('plan', '--env', 'production', '--detailed-exitcode')).status).toBe(0);
    expect(revoked.stdout + revoked.stderr).not.toContain(productionDeployment().env['SUPABASE_SECRET_KEY']!);
  });

  it('finishes a rotation that stopped between renaming the old variable and creating the new one', async () => {
    const project = vercel.state.project('acme-notes', TEAM)!;
    const current = project.envs.find((e) => e.key === 'SESSION_SECRET' && e.target.includes('production'))!;
    const held = current.value;
    // What the first step of a rotation leaves behind when the run dies right after it.
    const res = await fetch(`${vercel.url}/v9/projects/acme-notes/env/${current.id}?teamId=${TEAM}`, {
      method: 'PATCH', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ key: 'SESSION_SECRET_PREVIOUS', comment: `shipyard: previous value of SESSION_SECRET, works until ${new Date(Date.now() + 7 * DAY).toISOString()}; \`shipyard secrets rotate\` removes it then` }),
    });
    expect(res.status).toBe(200);
    const plan = await cli('plan', '--env', 'production');
    expect(plan.stdout).toMatch(/\+ .*vercel\/acme-notes\/env\/production\/SESSION_SECRET\b/);
    const finished = await cli('secrets', 'rotate', '--env', 'production', '--name', 'SESSION_SECRET');
    expect(finished.status, finished.stdout + finished.stderr).toBe(0);
    const envs = vercel.state.project('acme-notes', TEAM)!.envs.filter((e) => e.target.includes('production'));
    expect(envs.find((e) => e.key === 'SESSION_SECRET_PREVIOUS')?.value).toBe(held);
    expect(envs.find((e) => e.key === 'SESSION_SECRET')?.value).toMatch(/^[A-Za-z0-9_-]{48}$/);
    expect((await cli('plan', '--env', 'production', '--detailed-exitcode')).status).toBe(0);
  });

  it('rotates a runner-secret variable only once its source holds a new value', async () => {
    const unchanged = await cli('secrets', 'rotate', '--env', 'production', '--name', 'STRIPE_SECRET_KEY');
    expect(unchanged.stdout).toMatch(/^not-due +vercel\/acme-notes\/env\/production\/STRIPE_SECRET_KEY: the runner secret ACME_STRIPE_SECRET_KEY still holds the current value/m);
    // The new value arrives the way the workflows pass runner secrets: toJSON(secrets).
    delete env.ACME_STRIPE_SECRET_KEY;
    env.SHIPYARD_RUNNER_SECRETS = JSON.stringify({ ACME_STRIPE_SECRET_KEY: `${CANARY}-2`, GITHUB_TOKEN: 'unrelated' });
    const rotated = await cli('secrets', 'rotate', '--env', 'production', '--name', 'STRIPE_SECRET_KEY');
    expect(rotated.status, rotated.stdout + rotated.stderr).toBe(0);
    const deployment = productionDeployment();
    expect([deployment.env['STRIPE_SECRET_KEY'], deployment.env['STRIPE_SECRET_KEY_PREVIOUS']]).toEqual([`${CANARY}-2`, CANARY]);
    expect((await cli('plan', '--env', 'production', '--detailed-exitcode')).status).toBe(0);
    expect(unchanged.stdout + unchanged.stderr + rotated.stdout + rotated.stderr).not.toContain(CANARY);
  });

  it('stops at the plan when a live run lacks a runner secret, instead of writing a stand-in', async () => {
    const { SHIPYARD_SANDBOX_SECRETS: _, ...live } = env;
    const saved = env;
    env = live;
    try {
      const plan = await cli('plan', '--env', 'production');
      expect(plan.status).toBe(1);
      expect(plan.stdout + plan.stderr).toContain('the runner secret ACME_GOOGLE_SECRET_PRODUCTION is not set');
    } finally {
      env = saved;
    }
  });

  it('refuses a name that is not a rotatable secret, naming where to declare it', async () => {
    const result = await cli('secrets', 'rotate', '--env', 'production', '--name', 'NEXT_PUBLIC_APP_NAME');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('no rotatable secret named NEXT_PUBLIC_APP_NAME in production');
  });
});
