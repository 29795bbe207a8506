import { createHash, createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSON_CONTENT_TYPE } from '../../src/sandbox/emulator-kit/json-http.ts';
import { describeCheck, OpenApiValidator, type OpenApiDocument } from '../../src/sandbox/emulator-kit/openapi-validator.ts';
import type { ResponseRecord } from '../../src/sandbox/emulator-kit/server.ts';
import { deriveAuthConfigFields } from '../../src/sandbox/supabase/auth-config-fields.ts';
import { AUTH_CONFIG_FIELDS } from '../../src/sandbox/supabase/auth-config-fields.generated.ts';
import { authSecretDigest } from '../../src/sandbox/supabase/auth-config.ts';
import { createSupabaseEmulator, type SupabaseEmulator, type SupabaseEmulatorOptions } from '../../src/sandbox/supabase/emulator.ts';
import { PostgresBackend } from '../../src/sandbox/supabase/postgres-backend.ts';
import { postgresBinaries, startPostgres, type PostgresServer } from '../harness/postgres.ts';

// The Supabase Management API emulator against a real PostgreSQL 15 (test/harness/postgres.ts).
// Every response it gives is checked against the operation's schema in the pinned OpenAPI
// document; the data API is checked by @supabase/supabase-js itself.

const contracts = new URL('../../../shared/contracts/', import.meta.url);
const spec = JSON.parse(readFileSync(new URL('supabase-management-api.openapi.json', contracts), 'utf8')) as OpenApiDocument & {
  components: { schemas: Record<string, { properties: Record<string, unknown>; required?: string[] }> };
};
const validator = new OpenApiValidator(spec);

const TOKEN = 'sbp_emulator_test_token_not_a_credential';
const OUTSIDER = 'sbp_outsider00000000000000000000000000000000';
const ORG = 'acme';
const USER_A = '11111111-1111-4111-8111-111111111111';
const USER_B = '22222222-2222-4222-8222-222222222222';

const violations: string[] = [];
const exercised = new Set<string>();
const records: ResponseRecord[] = [];

function watch(emulator: SupabaseEmulator): void {
  emulator.onResponse((r) => {
    try {
      check(r);
    } catch (err) {
      // The emulator only logs a listener crash; a broken check must fail the suite.
      violations.push(`${r.method} ${r.path}: contract check crashed: ${String(err)}`);
    }
  });
}

function check(r: ResponseRecord): void {
  records.push(r);
  const where = `${r.method} ${r.path}${r.query ? `?${r.query}` : ''} → ${r.status}`;
  if (r.route) exercised.add(`${r.method} ${r.route}`);
  if (r.body !== undefined && r.headers['content-type'] !== JSON_CONTENT_TYPE) violations.push(`${where}: content-type ${r.headers['content-type']}`);
  // The data API is PostgREST's, not the Management API's: supabase-js is its contract.
  if (r.path.startsWith('/project/')) return;
  if (r.status >= 400) {
    const body = r.body as { message?: unknown } | undefined;
    if (typeof body?.message !== 'string') violations.push(`${where}: error body is not {message}: ${JSON.stringify(r.body)}`);
  }
  const result = validator.validateResponse(r.method, r.path, r.status, r.body);
  if (result.kind === 'invalid') violations.push(`${where}: ${describeCheck(result)}`);
  if (result.kind === 'no-operation') violations.push(`${where}: not in the OpenAPI document`);
  if (result.kind === 'undocumented-status' && r.status < 300) violations.push(`${where}: ${describeCheck(result)}`);
}

type Res<T> = { status: number; headers: Headers; body: T };

let pgServer: PostgresServer;
let emulator: SupabaseEmulator;
const others: SupabaseEmulator[] = [];

async function call<T = unknown>(method: string, path: string, options: { body?: unknown; token?: string | null; base?: string; signal?: AbortSignal } = {}): Promise<Res<T>> {
  const token = options.token === undefined ? TOKEN : options.token;
  const headers: Record<string, string> = {};
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${options.base ?? emulator.url}${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text === '' ? undefined : JSON.parse(text)) as T };
}

type Project = { ref: string; name: string; status: string; organization_slug: string; database?: Record<string, string> };

async function waitForStatus(ref: string, status: string, timeoutMs = 20_000): Promise<string[]> {
  const seen: string[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await call<Project>('GET', `/v1/projects/${ref}`);
    expect(res.status).toBe(200);
    if (seen.at(-1) !== res.body.status) seen.push(res.body.status);
    if (res.body.status === status) return seen;
    if (Date.now() > deadline) throw new Error(`project ${ref} still ${res.body.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function createProject(name: string, org = ORG): Promise<Project> {
  const res = await call<Project>('POST', '/v1/projects', { body: { name, organization_slug: org, db_pass: 'correct-horse-battery', region: 'eu-central-1' } });
  expect(res.status).toBe(201);
  await waitForStatus(res.body.ref, 'ACTIVE_HEALTHY');
  return res.body;
}

async function sql<T = Record<string, unknown>>(ref: string, query: string, extra: Record<string, unknown> = {}): Promise<Res<T[]>> {
  return call<T[]>('POST', `/v1/projects/${ref}/database/query`, { body: { query, ...extra } });
}

function jwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

function hs256Valid(token: string, secret: string): boolean {
  const [h, p, s] = token.split('.');
  return createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url') === s && JSON.parse(Buffer.from(h ?? '', 'base64url').toString()).alg === 'HS256';
}

function startEmulator(options: Partial<SupabaseEmulatorOptions> = {}): SupabaseEmulator {
  return createSupabaseEmulator({
    tokens: [TOKEN, { token: OUTSIDER, organizations: ['other'] }],
    organizations: [{ slug: ORG, name: 'Acme Corp', plan: 'pro' }, { slug: 'other', name: 'Other' }],
    backend: new PostgresBackend({ url: pgServer.url }),
    activationDelayMs: 300,
    ...options,
  });
}

beforeAll(async () => {
  pgServer = await startPostgres();
  emulator = startEmulator();
  watch(emulator);
  await emulator.start();
});

afterAll(async () => {
  await Promise.all([emulator, ...others].map((e) => e?.stop()));
  await pgServer?.stop();
});

describe('postgres harness and backend', () => {
  it('runs PostgreSQL 15 on loopback as a non-root user and creates databases', async () => {
    expect(pgServer.url).toBe(`postgres://postgres@127.0.0.1:${pgServer.port}/postgres`);
    const url = await pgServer.createDatabase('harness check');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ v: string; db: string; listen: string }>(
        `select current_setting('server_version_num') as v, current_database() as db, current_setting('listen_addresses') as listen`,
      );
      expect(rows[0]).toEqual({ v: expect.stringMatching(/^15\d{4}$/), db: 'harness check', listen: '127.0.0.1' });
    } finally {
      await client.end();
    }
    expect(pgServer.connectionInfo).toEqual(JSON.parse(JSON.stringify(pgServer.connectionInfo)));
    // PostgreSQL refuses root: as root the cluster belongs to (and runs as) nobody.
    const uid = process.getuid?.() === 0 ? Number(execFileSync('id', ['-u', 'nobody']).toString().trim()) : process.getuid?.();
    expect(statSync(join(pgServer.connectionInfo.tmpDir, 'data')).uid).toBe(uid);
  });

  it('two backends on one server create the shared roles concurrently, once', async () => {
    // Runs before any project exists, so the roles are really created here (as by two test workers).
    const backends = [new PostgresBackend({ url: pgServer.url, databasePrefix: 'wa_' }), new PostgresBackend({ url: pgServer.url, databasePrefix: 'wb_' })];
    try {
      const dbs = await Promise.all(backends.map((b) => b.create('concurrentbootstrapx')));
      for (const db of dbs) {
        expect(await db.query(`select count(*)::int as n from pg_roles where rolname in ('anon', 'authenticated', 'service_role', 'authenticator')`)).toEqual([{ n: 4 }]);
        expect(db.url).toMatch(/\/w[ab]_concurrentbootstrapx$/);
      }
      await Promise.all(dbs.map((db) => db.drop()));
    } finally {
      await Promise.all(backends.map((b) => b.close()));
    }
  });

  it('fails with the fix when the binaries are missing', () => {
    expect(() => postgresBinaries('/nonexistent/postgresql/15/bin')).toThrow(/bash scripts\/services.sh ensure/);
  });
});

describe('authentication and organizations', () => {
  it('answers 401 {message} without a token and with an unknown one', async () => {
    for (const token of [null, 'sbp_not_a_real_token']) {
      const res = await call('GET', '/v1/projects', { token });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ message: 'Unauthorized' });
    }
  });

  it('lists only the organizations a token belongs to; 404 unknown, 403 not a member', async () => {
    expect((await call('GET', '/v1/organizations')).body).toEqual([
      { id: ORG, slug: ORG, name: 'Acme Corp' },
      { id: 'other', slug: 'other', name: 'Other' },
    ]);
    expect((await call('GET', '/v1/organizations', { token: OUTSIDER })).body).toEqual([{ id: 'other', slug: 'other', name: 'Other' }]);
    expect(await call('GET', `/v1/organizations/${ORG}`)).toMatchObject({ status: 200, body: { id: ORG, name: 'Acme Corp', plan: 'pro' } });
    expect(await call('GET', '/v1/organizations/nope')).toMatchObject({ status: 404, body: { message: 'Organization not found' } });
    const denied = await call<{ message: string }>('GET', `/v1/organizations/${ORG}/projects`, { token: OUTSIDER });
    expect(denied.status).toBe(403);
    expect(denied.body.message).toMatch(/necessary privileges/);
    const create = await call('POST', '/v1/projects', { token: OUTSIDER, body: { name: 'x', organization_slug: ORG, db_pass: 'p' } });
    expect(create.status).toBe(403);
  });
});

describe('projects', () => {
  it('creates COMING_UP (201), becomes ACTIVE_HEALTHY, renames, lists and deletes', async () => {
    const created = await call<Project>('POST', '/v1/projects', { body: { name: 'lifecycle', organization_slug: ORG, db_pass: 'pw-123456', region_selection: { type: 'smartGroup', code: 'emea' } } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'lifecycle', organization_slug: ORG, region: 'eu-central-1', status: 'COMING_UP' });
    expect(created.body.ref).toMatch(/^[a-z]{20}$/);
    const ref = created.body.ref;

    const health = await call<{ name: string; status: string }[]>('GET', `/v1/projects/${ref}/health?services=db&services=auth`);
    expect(health.body.map((h) => [h.name, h.status])).toEqual([
      ['db', 'COMING_UP'],
      ['auth', 'COMING_UP'],
    ]);
    const notYet = await sql(ref, 'select 1');
    expect(notYet.status).toBe(400);

    const seen = await waitForStatus(ref, 'ACTIVE_HEALTHY');
    expect(seen).toEqual(['COMING_UP', 'ACTIVE_HEALTHY']);
    const got = await call<Project>('GET', `/v1/projects/${ref}`);
    expect(got.body.database).toEqual({ host: `db.${ref}.supabase.co`, version: expect.any(String), postgres_engine: '15', release_channel: 'ga' });
    const healthy = await call<{ name: string; status: string; healthy: boolean; info?: unknown }[]>('GET', `/v1/projects/${ref}/health?services=auth,rest,db,realtime`);
    expect(healthy.body.every((h) => h.status === 'ACTIVE_HEALTHY' && h.healthy)).toBe(true);
    expect(healthy.body.find((h) => h.name === 'auth')?.info).toMatchObject({ name: 'GoTrue' });
    expect((await call('GET', `/v1/projects/${ref}/health`)).status).toBe(400);

    const renamed = await call('PATCH', `/v1/projects/${ref}`, { body: { name: 'lifecycle-2' } });
    expect(renamed).toMatchObject({ status: 200, body: { ref, name: 'lifecycle-2', id: expect.any(Number) } });
    expect((await call<Project[]>('GET', '/v1/projects')).body.filter((p) => p.ref === ref).map((p) => p.name)).toEqual(['lifecycle-2']);

    const dbName = `sb_${ref}`;
    const admin = new pg.Client({ connectionString: pgServer.url });
    await admin.connect();
    try {
      expect((await admin.query('select 1 from pg_database where datname = $1', [dbName])).rowCount).toBe(1);
      const deleted = await call('DELETE', `/v1/projects/${ref}`);
      expect(deleted).toMatchObject({ status: 200, body: { ref, name: 'lifecycle-2' } });
      expect((await admin.query('select 1 from pg_database where datname = $1', [dbName])).rowCount).toBe(0);
    } finally {
      await admin.end();
    }
    expect(await call('GET', `/v1/projects/${ref}`)).toMatchObject({ status: 404, body: { message: 'Project not found' } });
  });

  it('validates the create body like the API (required fields, no unknown properties, one region input)', async () => {
    const before = emulator.state.projects().length;
    const cases: [unknown, RegExp][] = [
      [{ name: 'x', organization_slug: ORG }, /db_pass/],
      [{ name: 'x', organization_slug: ORG, db_pass: 'p', colour: 'red' }, /colour should not exist/],
      [{ name: 'x', organization_slug: ORG, db_pass: 'p', region: 'us-east-1', region_selection: { type: 'specific', code: 'us-east-1' } }, /Only one of/],
      [{ name: 'x', organization_slug: ORG, db_pass: 'p', region: 'mars-1' }, /region must be one of/],
    ];
    for (const [body, message] of cases) {
      const res = await call<{ message: string }>('POST', '/v1/projects', { body });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(message);
    }
    expect(await call('POST', '/v1/projects', { body: { name: 'x', organization_slug: 'ghost-org', db_pass: 'p' } })).toMatchObject({ status: 404 });
    expect(emulator.state.projects()).toHaveLength(before);
  });

  it('lists an organization’s projects with search, sort and pagination', async () => {
    const org = 'other';
    for (const name of ['beta', 'alpha', 'gamma']) {
      const res = await call('POST', '/v1/projects', { token: OUTSIDER, body: { name, organization_slug: org, db_pass: 'pw' } });
      expect(res.status).toBe(201);
    }
    type Page = { projects: { name: string; status: string; databases: unknown[] }[]; pagination: { count: number; limit: number; offset: number } };
    const first = await call<Page>('GET', `/v1/organizations/${org}/projects?limit=2`, { token: OUTSIDER });
    expect(first.body.projects.map((p) => p.name)).toEqual(['alpha', 'beta']);
    expect(first.body.pagination).toEqual({ count: 3, limit: 2, offset: 0 });
    const second = await call<Page>('GET', `/v1/organizations/${org}/projects?limit=2&offset=2`, { token: OUTSIDER });
    expect(second.body.projects.map((p) => p.name)).toEqual(['gamma']);
    const desc = await call<Page>('GET', `/v1/organizations/${org}/projects?sort=name_desc&search=A`, { token: OUTSIDER });
    expect(desc.body.projects.map((p) => p.name)).toEqual(['gamma', 'beta', 'alpha']);
    const found = await call<Page>('GET', `/v1/organizations/${org}/projects?search=gam`, { token: OUTSIDER });
    expect(found.body.projects.map((p) => p.name)).toEqual(['gamma']);
    // The outsider sees none of acme's projects in the flat list either.
    expect((await call<Project[]>('GET', '/v1/projects', { token: OUTSIDER })).body.every((p) => p.organization_slug === org)).toBe(true);
    for (const p of emulator.state.projects().filter((x) => x.organizationSlug === org)) await emulator.waitUntilActive(p.ref);
  });
});

describe('one active project', () => {
  let ref: string;
  beforeAll(async () => {
    ref = (await createProject('acme-notes')).ref;
  });

  describe('api keys', () => {
    type Key = { id: string; name: string; type: string; api_key: string; prefix: string | null; secret_jwt_template: Record<string, unknown> | null };

    it('has legacy anon/service_role JWTs signed with the project JWT secret, and new-style keys', async () => {
      const res = await call<Key[]>('GET', `/v1/projects/${ref}/api-keys`);
      expect(res.status).toBe(200);
      const byName = (type: string, name: string) => res.body.find((k) => k.type === type && k.name === name)!;
      const secret = emulator.state.jwtSecret(ref);
      for (const role of ['anon', 'service_role']) {
        const key = byName('legacy', role);
        expect(hs256Valid(key.api_key, secret)).toBe(true);
        expect(jwtPayload(key.api_key)).toMatchObject({ iss: 'supabase', ref, role });
      }
      expect(byName('publishable', 'default').api_key).toMatch(/^sb_publishable_[\w-]{22}_[\w-]{8}$/);
      const masked = byName('secret', 'default');
      expect(masked.api_key).not.toBe(emulator.state.keys(ref).secret);
      expect(masked.api_key.startsWith(masked.prefix ?? '?')).toBe(true);
      expect(masked.api_key).toMatch(/^sb_secret_[\w-]{4}•+$/);
      expect(masked.secret_jwt_template).toEqual({ role: 'service_role' });

      const revealed = await call<Key[]>('GET', `/v1/projects/${ref}/api-keys?reveal=true`);
      expect(revealed.body.find((k) => k.type === 'secret')?.api_key).toBe(emulator.state.keys(ref).secret);
      expect(emulator.state.keys(ref).secret).toMatch(/^sb_secret_[\w-]{22}_[\w-]{8}$/);
    });

    it('creates (201), reads, updates and deletes a secret key; legacy keys cannot be changed', async () => {
      const created = await call<Key>('POST', `/v1/projects/${ref}/api-keys`, { body: { type: 'secret', name: 'ci_deploy', description: 'CI' } });
      expect(created.status).toBe(201);
      expect(created.body.api_key).toMatch(/•+$/);
      const revealed = await call<Key>('GET', `/v1/projects/${ref}/api-keys/${created.body.id}?reveal=true`);
      expect(revealed.body.api_key).toMatch(/^sb_secret_[\w-]{22}_[\w-]{8}$/);
      expect(revealed.body.api_key.startsWith(created.body.prefix!)).toBe(true);

      expect((await call('POST', `/v1/projects/${ref}/api-keys`, { body: { type: 'secret', name: 'ci_deploy' } })).status).toBe(409);
      expect((await call('POST', `/v1/projects/${ref}/api-keys`, { body: { type: 'secret', name: 'Bad Name' } })).status).toBe(400);

      const updated = await call<Key & { description: string }>('PATCH', `/v1/projects/${ref}/api-keys/${created.body.id}`, { body: { description: 'rotated' } });
      expect(updated.body).toMatchObject({ name: 'ci_deploy', description: 'rotated' });
      expect((await call('PATCH', `/v1/projects/${ref}/api-keys/anon`, { body: { description: 'x' } })).status).toBe(400);
      expect((await call('DELETE', `/v1/projects/${ref}/api-keys/service_role`)).status).toBe(400);

      const deleted = await call<Key>('DELETE', `/v1/projects/${ref}/api-keys/${created.body.id}`);
      expect(deleted).toMatchObject({ status: 200, body: { id: created.body.id, name: 'ci_deploy' } });
      expect((await call('GET', `/v1/projects/${ref}/api-keys/${created.body.id}`)).status).toBe(404);
    });

    it('switches legacy keys off and on; disabled legacy keys are refused by the data API', async () => {
      expect((await call('GET', `/v1/projects/${ref}/api-keys/legacy`)).body).toEqual({ enabled: true });
      expect((await call('PUT', `/v1/projects/${ref}/api-keys/legacy?enabled=false`)).body).toEqual({ enabled: false });
      const anon = client(ref, emulator.state.keys(ref).anon);
      const { error, status } = await anon.from('nothing_here').select();
      expect(status).toBe(401);
      expect(error?.message).toBe('Legacy API keys are disabled');
      expect((await call('PUT', `/v1/projects/${ref}/api-keys/legacy?enabled=true`)).body).toEqual({ enabled: true });
      expect((await call('GET', `/v1/projects/${ref}/api-keys/legacy`)).body).toEqual({ enabled: true });
    });
  });

  describe('auth config', () => {
    const responseProps = Object.keys(spec.components.schemas['AuthConfigResponse']!.properties);

    it('the generated field table is exactly what the pinned OpenAPI document says', () => {
      expect(AUTH_CONFIG_FIELDS).toEqual(deriveAuthConfigFields(spec));
      expect(responseProps).toHaveLength(237);
    });

    it('GET returns every AuthConfigResponse property, null when unset', async () => {
      const res = await call<Record<string, unknown>>('GET', `/v1/projects/${ref}/config/auth`);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual([...responseProps].sort());
      expect(res.body['site_url']).toBe('http://localhost:3000');
      expect(res.body['external_github_client_id']).toBeNull();
      expect(res.body['external_github_secret']).toBeNull();
      expect(res.body['mailer_otp_exp']).toBe(3600);
    });

    it('PATCH changes only the keys given, answers the whole config, and hashes secrets', async () => {
      const before = (await call<Record<string, unknown>>('GET', `/v1/projects/${ref}/config/auth`)).body;
      const patch = {
        site_url: 'https://notes.acme.test',
        uri_allow_list: 'https://notes.acme.test/**,https://*.acme.test',
        external_github_enabled: true,
        external_github_client_id: 'gh-client',
        external_github_secret: 'gh-very-secret',
        smtp_pass: 'smtp-password-1',
        password_min_length: 10,
      };
      const res = await call<Record<string, unknown>>('PATCH', `/v1/projects/${ref}/config/auth`, { body: patch });
      expect(res.status).toBe(200);
      const after = res.body;
      expect(Object.keys(after).sort()).toEqual([...responseProps].sort());
      const changed = Object.keys(after).filter((k) => JSON.stringify(after[k]) !== JSON.stringify(before[k]));
      expect(changed.sort()).toEqual(Object.keys(patch).sort());
      expect(after).toMatchObject({ site_url: patch.site_url, external_github_enabled: true, external_github_client_id: 'gh-client', password_min_length: 10 });
      expect(after['external_github_secret']).toBe(authSecretDigest(ref, 'gh-very-secret'));
      expect(after['external_github_secret']).toMatch(/^[0-9a-f]{64}$/);
      expect(after['smtp_pass']).toBe(authSecretDigest(ref, 'smtp-password-1'));
      expect((await call('GET', `/v1/projects/${ref}/config/auth`)).body).toEqual(after);
      expect(emulator.state.rawAuthConfig(ref)['external_github_secret']).toBe('gh-very-secret');
      // The plaintext never went over the wire.
      expect(records.filter((r) => JSON.stringify(r.body ?? null).includes('gh-very-secret'))).toEqual([]);
    });

    it('refuses invalid values and unknown keys without changing anything', async () => {
      const before = (await call('GET', `/v1/projects/${ref}/config/auth`)).body;
      for (const body of [{ site_url: 'https://a.test,https://b.test' }, { password_min_length: 2 }, { jwt_exp: 'soon' }, { colour: 'red' }, { site_url: 'https://ok.test', mailer_otp_exp: null }]) {
        expect((await call('PATCH', `/v1/projects/${ref}/config/auth`, { body })).status).toBe(400);
      }
      expect((await call('GET', `/v1/projects/${ref}/config/auth`)).body).toEqual(before);
    });

    it('shows changes made behind the tool’s back (drift)', async () => {
      emulator.patchAuthBehindBack(ref, { mfa_totp_enroll_enabled: false, external_google_secret: 'changed-in-dashboard', site_url: null });
      const res = await call<Record<string, unknown>>('GET', `/v1/projects/${ref}/config/auth`);
      expect(res.body).toMatchObject({ mfa_totp_enroll_enabled: false, site_url: null, external_google_secret: authSecretDigest(ref, 'changed-in-dashboard') });
      expect(() => emulator.patchAuthBehindBack(ref, { not_a_field: 1 })).toThrow(/not an AuthConfigResponse property/);
    });
  });

  describe('database/query', () => {
    it('runs DDL (201, []) and DML, with parameters; the last statement answers', async () => {
      const ddl = await sql(ref, 'create table public.items (id bigserial primary key, name text not null, created_at timestamptz default now())');
      expect(ddl).toMatchObject({ status: 201, body: [] });
      expect((await sql(ref, `insert into public.items (name) values ('a'), ('b') returning id, name`)).body).toEqual([
        { id: 1, name: 'a' },
        { id: 2, name: 'b' },
      ]);
      expect((await sql(ref, 'select name from public.items where id = $1', { parameters: [2] })).body).toEqual([{ name: 'b' }]);
      expect((await sql(ref, `insert into public.items (name) values ('c'); select count(*)::int as n from public.items`)).body).toEqual([{ n: 3 }]);
      const row = (await sql<{ created_at: string }>(ref, 'select created_at from public.items limit 1')).body[0];
      expect(Number.isNaN(Date.parse(row?.created_at ?? ''))).toBe(false);
    });

    it('answers 400 {message} in psql wording for SQL errors', async () => {
      const res = await sql<never>(ref, 'selec 1');
      expect(res.status).toBe(400);
      expect((res.body as unknown as { message: string }).message).toMatch(/^Failed to run sql query: ERROR: {2}42601: syntax error at or near "selec"/);
      const missing = await sql<never>(ref, 'select * from public.nope');
      expect((missing.body as unknown as { message: string }).message).toContain('42P01: relation "public.nope" does not exist');
    });

    it('read_only and the read-only endpoint refuse writes', async () => {
      const ro = await sql<never>(ref, `insert into public.items (name) values ('x')`, { read_only: true });
      expect(ro.status).toBe(400);
      expect((ro.body as unknown as { message: string }).message).toContain('25006');
      const endpoint = await call<{ message: string }>('POST', `/v1/projects/${ref}/database/query/read-only`, { body: { query: 'drop table public.items' } });
      expect(endpoint.status).toBe(400);
      expect(endpoint.body.message).toMatch(/^Failed to run read-only sql query: ERROR: {2}25006/);
      expect((await call('POST', `/v1/projects/${ref}/database/query/read-only`, { body: { query: 'select count(*)::int as n from public.items' } })).body).toEqual([{ n: 3 }]);
    });

    it('has the Supabase roles with the right attributes and default privileges incl. sequences', async () => {
      const roles = await sql<{ rolname: string; rolcanlogin: boolean; rolinherit: boolean; rolbypassrls: boolean }>(
        ref,
        `select rolname, rolcanlogin, rolinherit, rolbypassrls from pg_roles where rolname in ('anon','authenticated','service_role','authenticator') order by rolname`,
      );
      expect(roles.body).toEqual([
        { rolname: 'anon', rolcanlogin: false, rolinherit: true, rolbypassrls: false },
        { rolname: 'authenticated', rolcanlogin: false, rolinherit: true, rolbypassrls: false },
        { rolname: 'authenticator', rolcanlogin: true, rolinherit: false, rolbypassrls: false },
        { rolname: 'service_role', rolcanlogin: false, rolinherit: true, rolbypassrls: true },
      ]);
      const members = await sql<{ member: string }>(
        ref,
        `select r.rolname as member from pg_auth_members m join pg_roles r on r.oid = m.roleid join pg_roles u on u.oid = m.member where u.rolname = 'authenticator' order by 1`,
      );
      expect(members.body.map((m) => m.member)).toEqual(['anon', 'authenticated', 'service_role']);
      const defaults = await sql<{ objtype: string }>(ref, `select distinct defaclobjtype::text as objtype from pg_default_acl where defaclnamespace = 'public'::regnamespace order by 1`);
      expect(defaults.body.map((d) => d.objtype)).toEqual(['S', 'f', 'r']);
      const privs = await sql<{ t: boolean; s: boolean }>(
        ref,
        `select has_table_privilege('authenticated', 'public.items', 'INSERT') as t, has_sequence_privilege('authenticated', 'public.items_id_seq', 'USAGE') as s`,
      );
      expect(privs.body).toEqual([{ t: true, s: true }]);
      const fns = await sql<{ uid: string | null; role: string | null; email: string | null; jwt: unknown }>(
        ref,
        `select set_config('request.jwt.claims', '{"sub":"${USER_A}","role":"authenticated","email":"a@acme.test"}', true), auth.uid()::text as uid, auth.role() as role, auth.email() as email, auth.jwt() ->> 'sub' as jwt`,
      );
      expect(fns.body[0]).toMatchObject({ uid: USER_A, role: 'authenticated', email: 'a@acme.test', jwt: USER_A });
    });
  });

  describe('RLS through @supabase/supabase-js', () => {
    let serviceRole: SupabaseClient;
    beforeAll(async () => {
      const ddl = await sql(
        ref,
        `create table public.todos (id bigserial primary key, owner uuid not null, title text not null);
         alter table public.todos enable row level security;
         create policy "owner reads" on public.todos for select to authenticated using (owner = (select auth.uid()));
         create policy "owner writes" on public.todos for insert to authenticated with check (owner = (select auth.uid()));
         insert into public.todos (owner, title) values ('${USER_A}', 'a1'), ('${USER_A}', 'a2'), ('${USER_B}', 'b1');`,
      );
      expect(ddl.status).toBe(201);
      serviceRole = client(ref, emulator.state.keys(ref).serviceRole);
    });

    it('anon sees no rows, each user only their own, service_role all', async () => {
      const anon = await client(ref, emulator.state.keys(ref).anon).from('todos').select('title');
      expect(anon).toMatchObject({ error: null, status: 200, data: [] });
      const a = await userClient(ref, USER_A).from('todos').select('title, owner').order('title');
      expect(a.error).toBeNull();
      expect(a.data).toEqual([
        { title: 'a1', owner: USER_A },
        { title: 'a2', owner: USER_A },
      ]);
      const b = await userClient(ref, USER_B).from('todos').select('title');
      expect(b.data).toEqual([{ title: 'b1' }]);
      const all = await serviceRole.from('todos').select('title').order('title');
      expect(all.data).toEqual([{ title: 'a1' }, { title: 'a2' }, { title: 'b1' }]);
      const filtered = await serviceRole.from('todos').select('title').eq('owner', USER_B);
      expect(filtered.data).toEqual([{ title: 'b1' }]);
      const one = await userClient(ref, USER_B).from('todos').select('title').single();
      expect(one.data).toEqual({ title: 'b1' });
    });

    it('the new publishable and secret keys act as anon and service_role', async () => {
      const keys = emulator.state.keys(ref);
      expect((await client(ref, keys.publishable).from('todos').select('title')).data).toEqual([]);
      expect((await client(ref, keys.secret).from('todos').select('title')).data).toHaveLength(3);
    });

    it('an insert of another owner’s row fails; an own row succeeds and is returned', async () => {
      const bad = await userClient(ref, USER_A).from('todos').insert({ owner: USER_B, title: 'forged' });
      expect(bad.status).toBe(403);
      expect(bad.error?.code).toBe('42501');
      expect(bad.error?.message).toMatch(/new row violates row-level security policy/);
      const ok = await userClient(ref, USER_A).from('todos').insert({ owner: USER_A, title: 'a3' }).select('id, title');
      expect(ok.status).toBe(201);
      expect(ok.data).toEqual([{ id: expect.any(Number), title: 'a3' }]);
      const minimal = await userClient(ref, USER_A).from('todos').insert([{ owner: USER_A, title: 'a4' }]);
      expect(minimal).toMatchObject({ status: 201, error: null, data: null });
      const anonInsert = await client(ref, emulator.state.keys(ref).anon).from('todos').insert({ owner: USER_A, title: 'anon' });
      expect(anonInsert.status).toBe(401);
      expect((await serviceRole.from('todos').select('title').eq('owner', USER_A).order('title')).data?.map((r) => r.title)).toEqual(['a1', 'a2', 'a3', 'a4']);
    });

    it('refuses bad keys and forged or expired tokens', async () => {
      const wrongKey = await client(ref, 'sb_publishable_nope').from('todos').select();
      expect(wrongKey.status).toBe(401);
      const forged = createClient(emulator.projectUrl(ref), emulator.state.keys(ref).anon, {
        accessToken: async () => emulator.userJwt(ref, { sub: USER_A }).replace(/\.[^.]+$/, '.AAAA'),
      });
      expect((await forged.from('todos').select()).error?.code).toBe('PGRST301');
      const expired = createClient(emulator.projectUrl(ref), emulator.state.keys(ref).anon, {
        accessToken: async () => emulator.userJwt(ref, { sub: USER_A, expiresInS: -10 }),
      });
      expect((await expired.from('todos').select()).error?.code).toBe('PGRST303');
      const missingTable = await serviceRole.from('no_such_table').select();
      expect(missingTable).toMatchObject({ status: 404, error: { code: 'PGRST205' } });
      const health = await fetch(`${emulator.projectUrl(ref)}/auth/v1/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ name: 'GoTrue' });
    });
  });

  describe('secrets', () => {
    type Secret = { name: string; value: string; updated_at?: string };
    it('creates (201), lists digests only, refuses SUPABASE_ names, deletes', async () => {
      const created = await call('POST', `/v1/projects/${ref}/secrets`, {
        body: [
          { name: 'STRIPE_KEY', value: 'sk_live_plaintext_1' },
          { name: 'OPENAI_API_KEY', value: 'sk-plaintext-2' },
        ],
      });
      expect(created).toMatchObject({ status: 201, body: undefined });
      const listed = await call<Secret[]>('GET', `/v1/projects/${ref}/secrets`);
      const byName = Object.fromEntries(listed.body.map((s) => [s.name, s.value]));
      expect(byName['STRIPE_KEY']).toBe(createHash('sha256').update('sk_live_plaintext_1').digest('hex'));
      expect(byName['OPENAI_API_KEY']).toBe(createHash('sha256').update('sk-plaintext-2').digest('hex'));
      expect(Object.keys(byName)).toEqual(expect.arrayContaining(['SUPABASE_URL', 'SUPABASE_ANON_KEY', 'SUPABASE_SERVICE_ROLE_KEY', 'SUPABASE_DB_URL']));
      expect(byName['SUPABASE_ANON_KEY']).toBe(createHash('sha256').update(emulator.state.keys(ref).anon).digest('hex'));
      expect(JSON.stringify(listed.body)).not.toContain('plaintext');

      const reserved = await call<{ message: string }>('POST', `/v1/projects/${ref}/secrets`, { body: [{ name: 'SUPABASE_X', value: 'v' }, { name: 'FINE', value: 'v' }] });
      expect(reserved.status).toBe(400);
      expect(emulator.state.secrets(ref)).toEqual({ STRIPE_KEY: 'sk_live_plaintext_1', OPENAI_API_KEY: 'sk-plaintext-2' });

      expect((await call('DELETE', `/v1/projects/${ref}/secrets`, { body: ['STRIPE_KEY', 'NEVER_SET'] })).status).toBe(200);
      expect(emulator.state.secrets(ref)).toEqual({ OPENAI_API_KEY: 'sk-plaintext-2' });
    });
  });

  describe('pooler', () => {
    type Pooler = Record<string, unknown> & { connection_string: string; db_port: number; pool_mode: string };
    it('answers every field, a connection string without password, and PATCHes mode and size', async () => {
      const res = await call<Pooler[]>('GET', `/v1/projects/${ref}/config/database/pooler`);
      expect(res.status).toBe(200);
      const [cfg] = res.body;
      const required = spec.components.schemas['SupavisorConfigResponse']!.required ?? [];
      expect(Object.keys(cfg!).sort()).toEqual([...required].sort());
      const url = new URL(cfg!.connection_string);
      expect(url.password).toBe('');
      expect(url.username).toBe(`postgres.${ref}`);
      expect(cfg).toMatchObject({ pool_mode: 'transaction', db_port: 6543, default_pool_size: 15 });

      const patched = await call('PATCH', `/v1/projects/${ref}/config/database/pooler`, { body: { pool_mode: 'session', default_pool_size: 30 } });
      expect(patched.body).toEqual({ default_pool_size: 30, pool_mode: 'session' });
      const after = (await call<Pooler[]>('GET', `/v1/projects/${ref}/config/database/pooler`)).body[0]!;
      expect(after).toMatchObject({ pool_mode: 'session', db_port: 5432, default_pool_size: 30 });
      expect(new URL(after.connection_string).port).toBe('5432');
      expect((await call('PATCH', `/v1/projects/${ref}/config/database/pooler`, { body: { pool_mode: 'statement' } })).status).toBe(400);
    });
  });

  describe('network restrictions', () => {
    type Restrictions = { status: string; config: { dbAllowedCidrs: unknown[]; dbAllowedCidrsV6?: string[] }; old_config?: unknown };
    it('starts open, applies (201), patches with add/remove, refuses bad CIDRs', async () => {
      const initial = await call<Restrictions>('GET', `/v1/projects/${ref}/network-restrictions`);
      expect(initial.body).toMatchObject({ entitlement: 'allowed', status: 'applied', config: { dbAllowedCidrs: ['0.0.0.0/0'], dbAllowedCidrsV6: ['::/0'] } });
      const applied = await call<Restrictions>('POST', `/v1/projects/${ref}/network-restrictions/apply`, { body: { dbAllowedCidrs: ['203.0.113.0/24'], dbAllowedCidrsV6: ['2001:db8::/32'] } });
      expect(applied.status).toBe(201);
      expect(applied.body).toMatchObject({
        status: 'applied',
        config: { dbAllowedCidrs: ['203.0.113.0/24'], dbAllowedCidrsV6: ['2001:db8::/32'] },
        old_config: { dbAllowedCidrs: ['0.0.0.0/0'], dbAllowedCidrsV6: ['::/0'] },
      });
      const patched = await call<Restrictions>('PATCH', `/v1/projects/${ref}/network-restrictions`, {
        body: { add: { dbAllowedCidrs: ['198.51.100.0/24'] }, remove: { dbAllowedCidrsV6: ['2001:db8::/32'] } },
      });
      expect(patched.status).toBe(200);
      expect(patched.body.config.dbAllowedCidrs).toEqual([
        { address: '203.0.113.0/24', type: 'v4' },
        { address: '198.51.100.0/24', type: 'v4' },
      ]);
      expect((await call<Restrictions>('GET', `/v1/projects/${ref}/network-restrictions`)).body.config).toEqual({ dbAllowedCidrs: ['203.0.113.0/24', '198.51.100.0/24'], dbAllowedCidrsV6: [] });
      for (const body of [{ dbAllowedCidrs: ['300.1.1.1/24'] }, { dbAllowedCidrs: ['2001:db8::/32'] }, { dbAllowedCidrs: ['10.0.0.0/33'] }]) {
        expect((await call('POST', `/v1/projects/${ref}/network-restrictions/apply`, { body })).status).toBe(400);
      }
    });
  });
});

describe('rate limits', () => {
  it('sends X-RateLimit-* on every response, Reset in seconds remaining, and 429 {message} per endpoint', async () => {
    let nowMs = 1_700_000_000_000;
    const limited = startEmulator({ rateLimit: { limit: 3, windowMs: 60_000 }, now: () => nowMs });
    others.push(limited);
    watch(limited);
    const { url } = await limited.start();
    const seen: [number, string | null, string | null, string | null][] = [];
    for (let i = 0; i < 4; i++) {
      const res = await call('GET', '/v1/organizations', { base: url });
      seen.push([res.status, res.headers.get('x-ratelimit-limit'), res.headers.get('x-ratelimit-remaining'), res.headers.get('x-ratelimit-reset')]);
      nowMs += 10_000;
    }
    expect(seen).toEqual([
      [200, '3', '2', '60'],
      [200, '3', '1', '50'],
      [200, '3', '0', '40'],
      [429, '3', '0', '30'],
    ]);
    const refused = await call('GET', '/v1/organizations', { base: url });
    expect(refused).toMatchObject({ status: 429, body: { message: 'Rate limit exceeded' } });
    expect(refused.headers.get('retry-after')).toBe('20');
    // Another endpoint has its own bucket.
    expect((await call('GET', '/v1/projects', { base: url })).status).toBe(200);
    // A new window starts once the old one is over.
    nowMs += 20_000;
    const fresh = await call('GET', '/v1/organizations', { base: url });
    expect([fresh.status, fresh.headers.get('x-ratelimit-remaining'), fresh.headers.get('x-ratelimit-reset')]).toEqual([200, '2', '60']);
  });
});

describe('rate limits per project and organization', () => {
  it('counts a project endpoint per project, and project creation per organization, as Supabase does', async () => {
    const limited = startEmulator({ rateLimit: { limit: 2, windowMs: 60_000 } });
    others.push(limited);
    watch(limited);
    const { url } = await limited.start();
    const create = (name: string, org: string) => call<Project>('POST', '/v1/projects', { base: url, body: { name, organization_slug: org, db_pass: 'correct-horse-battery', region: 'eu-central-1' } });
    const a = await create('limit-a', ORG);
    const b = await create('limit-b', ORG);
    expect([a.status, b.status]).toEqual([201, 201]);
    // The organization's two creations are spent; another organization has its own count.
    expect((await create('limit-c', ORG)).status).toBe(429);
    expect((await create('limit-d', 'other')).status).toBe(201);
    const get = (ref: string) => call('GET', `/v1/projects/${ref}`, { base: url });
    const first = [await get(a.body.ref), await get(a.body.ref), await get(a.body.ref)];
    expect(first.map((r) => [r.status, r.headers.get('x-ratelimit-remaining')])).toEqual([[200, '1'], [200, '0'], [429, '0']]);
    // The same endpoint on another project is not affected.
    const other = await get(b.body.ref);
    expect([other.status, other.headers.get('x-ratelimit-remaining')]).toEqual([200, '1']);
  });
});

describe('faults', () => {
  it('acceptThenTimeout on create: the project exists, the answer is lost, a name lookup finds exactly one', async () => {
    emulator.injectFault({ kind: 'acceptThenTimeout', times: 1, match: { method: 'POST', path: '/v1/projects' } });
    await expect(
      call('POST', '/v1/projects', { body: { name: 'lost-answer', organization_slug: ORG, db_pass: 'pw' }, signal: AbortSignal.timeout(500) }),
    ).rejects.toThrow();
    expect(emulator.requests.filter({ method: 'POST', path: '/v1/projects' }).at(-1)).toMatchObject({ outcome: 'timeout', status: null, handledStatus: 201 });
    const named = (await call<Project[]>('GET', '/v1/projects')).body.filter((p) => p.name === 'lost-answer');
    expect(named).toHaveLength(1);
    expect(emulator.state.projectsNamed('lost-answer')).toHaveLength(1);
    await waitForStatus(named[0]!.ref, 'ACTIVE_HEALTHY');
  });

  it('injected 5xx answers carry {message}', async () => {
    emulator.injectFault({ kind: 'status', status: 503, times: 1, match: { path: '/v1/projects/{ref}/config/auth' } });
    const ref = emulator.state.projectsNamed('acme-notes')[0]!.ref;
    expect(await call('GET', `/v1/projects/${ref}/config/auth`)).toMatchObject({ status: 503, body: { message: 'Injected fault' } });
    expect((await call('GET', `/v1/projects/${ref}/config/auth`)).status).toBe(200);
  });
});

describe('contract', () => {
  it('every response matched its operation in the OpenAPI document', () => {
    expect(violations).toEqual([]);
    expect(records.length).toBeGreaterThan(100);
  });

  it('exercised every route the emulator serves', () => {
    const routes = emulator.server.routes().map((r) => `${r.method} ${r.template}`).sort();
    expect(routes.filter((r) => !exercised.has(r))).toEqual([]);
    expect(routes).toHaveLength(31);
  });
});

function client(ref: string, key: string): SupabaseClient {
  return createClient(emulator.projectUrl(ref), key, { auth: { persistSession: false, autoRefreshToken: false } });
}

function userClient(ref: string, sub: string): SupabaseClient {
  return createClient(emulator.projectUrl(ref), emulator.state.keys(ref).anon, { accessToken: async () => emulator.userJwt(ref, { sub, email: `${sub.slice(0, 4)}@acme.test` }) });
}
