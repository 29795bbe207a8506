import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeCheck, OpenApiValidator, type OpenApiDocument } from '../../src/sandbox/emulator-kit/openapi-validator.ts';
import { createSupabaseEmulator, type SupabaseEmulator } from '../../src/sandbox/supabase/emulator.ts';
import { PgliteBackend } from '../../src/sandbox/supabase/pglite-backend.ts';

// The sandbox's configuration: project databases in embedded PGlite, no server to install.
// Same RLS behaviour as on the real server (supabase-emulator.test.ts), through supabase-js.

const spec = JSON.parse(readFileSync(new URL('../../../shared/contracts/supabase-management-api.openapi.json', import.meta.url), 'utf8')) as OpenApiDocument;
const validator = new OpenApiValidator(spec);
const TOKEN = 'sbp_sandbox000000000000000000000000000000000';
const OWNER = '33333333-3333-4333-8333-333333333333';

const violations: string[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'shipyard-pglite-'));
let emulator: SupabaseEmulator;

async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${emulator.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
}

beforeAll(async () => {
  emulator = createSupabaseEmulator({ tokens: [TOKEN], organizations: ['sandbox'], backend: new PgliteBackend({ dataDir }) });
  emulator.onResponse((r) => {
    if (r.path.startsWith('/project/')) return;
    const result = validator.validateResponse(r.method, r.path, r.status, r.body);
    if (result.kind === 'invalid' || result.kind === 'no-operation') violations.push(`${r.method} ${r.path} → ${r.status}: ${describeCheck(result)}`);
  });
  await emulator.start();
});

afterAll(async () => {
  await emulator?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('PGlite backend', () => {
  it('runs a project on embedded PGlite: SQL, RLS through supabase-js, and a data dir removed on delete', async () => {
    const created = await call<{ ref: string; status: string }>('POST', '/v1/projects', { name: 'sandbox-notes', organization_slug: 'sandbox', db_pass: 'pw' });
    expect(created).toMatchObject({ status: 201, body: { status: 'COMING_UP' } });
    const ref = created.body.ref;
    await emulator.waitUntilActive(ref, 60_000);
    expect((await call<{ status: string }>('GET', `/v1/projects/${ref}`)).body.status).toBe('ACTIVE_HEALTHY');
    expect(existsSync(join(dataDir, ref))).toBe(true);

    const ddl = await call('POST', `/v1/projects/${ref}/database/query`, {
      query: `create table public.notes (id serial primary key, owner uuid not null, body text);
              alter table public.notes enable row level security;
              create policy "own notes" on public.notes for all to authenticated
                using (owner = (select auth.uid())) with check (owner = (select auth.uid()));
              insert into public.notes (owner, body) values ('${OWNER}', 'mine'), (gen_random_uuid(), 'theirs');`,
    });
    expect(ddl).toEqual({ status: 201, body: [] });
    const bad = await call<{ message: string }>('POST', `/v1/projects/${ref}/database/query`, { query: 'select nope from public.notes' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^Failed to run sql query: ERROR: {2}42703: column "nope" does not exist/);

    const keys = emulator.state.keys(ref);
    const anon = createClient(emulator.projectUrl(ref), keys.publishable);
    expect((await anon.from('notes').select('body')).data).toEqual([]);
    const user = createClient(emulator.projectUrl(ref), keys.publishable, { accessToken: async () => emulator.userJwt(ref, { sub: OWNER }) });
    expect((await user.from('notes').select('body')).data).toEqual([{ body: 'mine' }]);
    const forged = await user.from('notes').insert({ owner: '44444444-4444-4444-8444-444444444444', body: 'x' });
    expect(forged.error?.code).toBe('42501');
    expect((await user.from('notes').insert({ owner: OWNER, body: 'second' })).status).toBe(201);
    const service = createClient(emulator.projectUrl(ref), keys.secret);
    expect((await service.from('notes').select('body').order('id')).data).toEqual([{ body: 'mine' }, { body: 'theirs' }, { body: 'second' }]);

    expect((await call('DELETE', `/v1/projects/${ref}`)).status).toBe(200);
    expect(existsSync(join(dataDir, ref))).toBe(false);
    expect(violations).toEqual([]);
  });
});
