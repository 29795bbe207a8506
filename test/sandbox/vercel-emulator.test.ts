import type { Resolver } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { Vercel } from '@vercel/sdk';
import { ConnectionError, RequestTimeoutError } from '@vercel/sdk/models/httpclienterrors.js';
import { SDKError } from '@vercel/sdk/models/sdkerror.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSON_CONTENT_TYPE } from '../../src/sandbox/emulator-kit/json-http.ts';
import { describeCheck, OpenApiValidator, type OpenApiDocument } from '../../src/sandbox/emulator-kit/openapi-validator.ts';
import type { ResponseRecord } from '../../src/sandbox/emulator-kit/server.ts';
import { resolverLookup } from '../../src/sandbox/vercel/dns-lookup.ts';
import { createVercelEmulator, type VercelEmulator, type VercelEmulatorOptions } from '../../src/sandbox/vercel/emulator.ts';

// Every call goes through the real @vercel/sdk: its zod models are the first contract check.
// Every response is also checked against (a) the OpenAPI subset, where it has the operation,
// and (b) the SDK's required fields, which zod would otherwise fill in with ""/0/false.

const contracts = new URL('../../../shared/contracts/', import.meta.url);
const spec = JSON.parse(readFileSync(new URL('vercel-openapi.subset.json', contracts), 'utf8')) as OpenApiDocument;
const sdkFields = JSON.parse(readFileSync(new URL('vercel-sdk-1.28.35.required-fields.json', contracts), 'utf8')) as {
  operations: Record<string, { endpoint: string; successStatus: number; responseRequired: FieldMap | { oneOf: Record<string, FieldMap> } | null }>;
};

// NOTES §1.1: the SDK calls newer versions than the spec documents; same shapes, so validate against the older ones.
const SPEC_ALIASES = {
  'GET /v5/domains/{domain}/records': 'GET /v4/domains/{domain}/records',
  'GET /v7/deployments': 'GET /v6/deployments',
};
// Served by the emulator, absent from the subset: responses cannot be checked against the spec.
const EXPECTED_UNDOCUMENTED = ['DELETE /v1/projects/{idOrName}/env', 'POST /v13/deployments'];

const TEAM = 'team_acme';
const TOKEN = 'tok_main';
const validator = new OpenApiValidator(spec, { aliases: SPEC_ALIASES });

interface Field {
  type: string;
  required: boolean;
  closedEnum?: string[];
  children?: Record<string, FieldMap>;
}
type FieldMap = Record<string, Field>;

const contractViolations: string[] = [];
const undocumented = new Set<string>();
const aliased = new Set<string>();
const exercised = new Set<string>();
const allRecords: ResponseRecord[] = [];

function checkSdkRequired(node: FieldMap | { oneOf: Record<string, FieldMap> }, value: unknown, path: string, out: string[]): void {
  if ('oneOf' in node && typeof node.oneOf === 'object' && !('type' in node.oneOf)) {
    const variants = Object.values(node.oneOf as Record<string, FieldMap>).map((v) => {
      const errs: string[] = [];
      checkSdkRequired(v, value, path, errs);
      return errs;
    });
    if (!variants.some((e) => e.length === 0)) out.push(`${path}: matches no variant (${variants.map((e) => e[0]).join(' | ')})`);
    return;
  }
  if (typeof value !== 'object' || value === null) {
    out.push(`${path}: expected an object`);
    return;
  }
  for (const [key, f] of Object.entries(node as FieldMap)) {
    if (!f.required) continue;
    const v = (value as Record<string, unknown>)[key];
    const at = `${path}.${key}`;
    if (v === undefined) {
      out.push(`${at}: missing (the SDK would coerce or reject it)`);
      continue;
    }
    if (v === null) {
      if (!/\bnull\b/.test(f.type)) out.push(`${at}: null but type is ${f.type}`);
      continue;
    }
    const base = f.type.replace(/\s*\|\s*null/, '').trim();
    if (base === 'string' || base === 'number' || base === 'boolean') {
      if (typeof v !== base) out.push(`${at}: ${typeof v} but SDK expects ${base}`);
      continue;
    }
    const children = f.children ? Object.values(f.children) : [];
    if (base.startsWith('Array<')) {
      if (!Array.isArray(v)) {
        out.push(`${at}: expected an array`);
        continue;
      }
      v.forEach((item, i) => {
        if (f.closedEnum && !f.closedEnum.includes(item as string)) out.push(`${at}[${i}]: ${JSON.stringify(item)} not in closed enum`);
        if (children[0]) checkSdkRequired(children[0], item, `${at}[${i}]`, out);
      });
      continue;
    }
    if (f.closedEnum && !f.closedEnum.includes(v as string)) out.push(`${at}: ${JSON.stringify(v)} not in closed enum ${JSON.stringify(f.closedEnum)}`);
    if (children[0]) checkSdkRequired(children[0], v, at, out);
  }
}

const sdkOpByRoute = new Map(Object.entries(sdkFields.operations).map(([name, op]) => [op.endpoint, { name, ...op }]));

function watch(emulator: VercelEmulator): void {
  emulator.onResponse((r) => {
    try {
      checkResponse(r);
    } catch (err) {
      // The emulator would only log a listener crash; a broken check must fail the suite.
      contractViolations.push(`${r.method} ${r.path}: contract check crashed: ${String(err)}`);
    }
  });
}

function checkResponse(r: ResponseRecord): void {
  {
    allRecords.push(r);
    const where = `${r.method} ${r.path} → ${r.status}`;
    if (r.body !== undefined && r.headers['content-type'] !== JSON_CONTENT_TYPE) contractViolations.push(`${where}: content-type ${r.headers['content-type']}`);
    if (r.route) exercised.add(`${r.method} ${r.route}`);
    const check = validator.validateResponse(r.method, r.path, r.status, r.body);
    if (check.kind === 'invalid') contractViolations.push(`${where}: ${describeCheck(check)}`);
    if (check.kind === 'no-operation') undocumented.add(`${r.method} ${r.route ?? r.path}`);
    if (check.kind === 'undocumented-status' && r.status < 300) contractViolations.push(`${where}: ${describeCheck(check)}`);
    if (check.kind !== 'no-operation' && check.operation.aliasOf) aliased.add(`${check.operation.aliasOf} → ${check.operation.method} ${check.operation.template}`);
    const sdkOp = r.route ? sdkOpByRoute.get(`${r.method} ${r.route}`) : undefined;
    if (sdkOp && r.status < 300) {
      if (r.status !== sdkOp.successStatus) contractViolations.push(`${where}: SDK accepts only ${sdkOp.successStatus}`);
      const errs: string[] = [];
      if (sdkOp.responseRequired) checkSdkRequired(sdkOp.responseRequired, r.body, '$', errs);
      contractViolations.push(...errs.map((e) => `${where} [sdk ${sdkOp.name}] ${e}`));
    }
  }
}

const started: VercelEmulator[] = [];
async function startEmulator(options: Partial<VercelEmulatorOptions> = {}): Promise<{ emulator: VercelEmulator; vercel: Vercel; url: string }> {
  const emulator = createVercelEmulator({
    tokens: [TOKEN, { token: 'tok_outsider', teams: [] }],
    teams: [{ id: TEAM, slug: 'acme' }, { id: 'team_other', slug: 'other' }],
    claimedDomains: ['claimed.test'],
    gitRepositories: { 'acme/notes': { defaultBranch: 'main' }, 'acme/shop': { defaultBranch: 'trunk' } },
    ...options,
  });
  watch(emulator);
  const { url } = await emulator.start();
  started.push(emulator);
  return { emulator, url, vercel: new Vercel({ bearerToken: TOKEN, serverURL: url }) };
}

async function sdkError(p: Promise<unknown>): Promise<{ status: number; body: { error: Record<string, unknown> }; headers: Headers }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof SDKError)) throw new Error(`expected SDKError, got ${String(err)}`);
  return { status: err.statusCode, body: JSON.parse(err.body) as { error: Record<string, unknown> }, headers: err.headers };
}

function projectsOf(res: unknown): { id: string; name: string; updatedAt?: number | undefined }[] {
  if (typeof res === 'object' && res !== null && 'projects' in res) return (res as { projects: { id: string; name: string; updatedAt?: number }[] }).projects;
  throw new Error('not a project list');
}

let emulator: VercelEmulator;
let vercel: Vercel;
let url: string;

beforeAll(async () => {
  ({ emulator, vercel, url } = await startEmulator());
});

afterAll(async () => {
  await Promise.all(started.map((e) => e.stop()));
});

describe('projects', () => {
  it('creates with a git link, reads by id and name, updates, and deletes with 204', async () => {
    const created = await vercel.projects.createProject({
      teamId: TEAM,
      requestBody: { name: 'acme-notes', framework: 'nextjs', buildCommand: 'npm run build', gitRepository: { type: 'github', repo: 'acme/notes' } },
    });
    expect(created.id).toMatch(/^prj_/);
    expect(created.accountId).toBe(TEAM);
    expect(created.framework).toBe('nextjs');
    expect(created.link).toMatchObject({ type: 'github', org: 'acme', repo: 'notes', productionBranch: 'main', deployHooks: [] });
    expect(created.alias).toEqual([]);
    expect(created.resourceConfig.functionDefaultRegions).toEqual(['iad1']);

    const byName = await vercel.projects.getProject({ idOrName: 'acme-notes', teamId: TEAM });
    expect(byName.id).toBe(created.id);
    const byId = await vercel.projects.getProject({ idOrName: created.id, teamId: TEAM });
    expect(byId.name).toBe('acme-notes');

    const updated = await vercel.projects.updateProject({ idOrName: created.id, teamId: TEAM, requestBody: { buildCommand: null, outputDirectory: 'out', name: 'acme-notes-2' } });
    expect(updated).toMatchObject({ name: 'acme-notes-2', buildCommand: null, outputDirectory: 'out', framework: 'nextjs' });
    expect(updated.updatedAt).toBeGreaterThan(created.updatedAt ?? 0);
    expect(emulator.state.project('acme-notes-2', TEAM)?.settings.outputDirectory).toBe('out');

    const dup = await sdkError(vercel.projects.createProject({ teamId: TEAM, requestBody: { name: 'acme-notes-2' } }));
    expect(dup.status).toBe(409);
    expect(dup.body.error['code']).toBe('conflict');

    await expect(vercel.projects.deleteProject({ idOrName: created.id, teamId: TEAM })).resolves.toBeUndefined();
    expect(emulator.requests.filter({ method: 'DELETE', route: '/v9/projects/{idOrName}' }).map((e) => e.status)).toEqual([204]);
    const gone = await sdkError(vercel.projects.getProject({ idOrName: created.id, teamId: TEAM }));
    expect(gone).toMatchObject({ status: 404, body: { error: { code: 'not_found', message: 'Project not found' } } });
  });

  it('keeps teams apart, and personal scope apart from teams', async () => {
    await vercel.projects.createProject({ teamId: TEAM, requestBody: { name: 'scoped' } });
    expect((await sdkError(vercel.projects.getProject({ idOrName: 'scoped', teamId: 'team_other' }))).status).toBe(404);
    expect((await sdkError(vercel.projects.getProject({ idOrName: 'scoped' }))).status).toBe(404);
    const personal = await vercel.projects.createProject({ requestBody: { name: 'scoped' } });
    expect(personal.accountId).toMatch(/^user_/);
    expect((await vercel.projects.getProject({ idOrName: 'scoped', slug: 'acme' })).accountId).toBe(TEAM);
  });

  it('links git only at creation: PATCH with gitRepository is refused', async () => {
    await vercel.projects.createProject({ teamId: TEAM, requestBody: { name: 'no-late-link' } });
    // The SDK type has no gitRepository on update, so send it raw.
    const res = await fetch(`${url}/v9/projects/no-late-link?teamId=${TEAM}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ gitRepository: { type: 'github', repo: 'acme/notes' } }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('gitRepository');
    expect(emulator.state.project('no-late-link', TEAM)?.link).toBeUndefined();
  });

  it('refuses a repository the git integration cannot see, and invalid names', async () => {
    const repo = await sdkError(vercel.projects.createProject({ teamId: TEAM, requestBody: { name: 'ghost', gitRepository: { type: 'github', repo: 'acme/ghost' } } }));
    expect(repo).toMatchObject({ status: 400, body: { error: { code: 'repo_not_found' } } });
    expect((await sdkError(vercel.projects.createProject({ teamId: TEAM, requestBody: { name: 'Bad Name' } }))).status).toBe(400);
    expect(emulator.state.project('ghost', TEAM)).toBeUndefined();
  });

  it('paginates getProjects over several pages without gaps or repeats', async () => {
    const team = 'team_other';
    const names = Array.from({ length: 23 }, (_, i) => `page-${String(i).padStart(2, '0')}`);
    for (const name of names) await vercel.projects.createProject({ teamId: team, requestBody: { name } });
    const before = emulator.requests.count({ route: '/v10/projects' });
    const seen: string[] = [];
    const pageSizes: number[] = [];
    let from: string | undefined;
    for (;;) {
      const res = await vercel.projects.getProjects({ teamId: team, limit: '10', ...(from ? { from } : {}) });
      const page = projectsOf(res);
      pageSizes.push(page.length);
      seen.push(...page.map((p) => p.name));
      const next = (res as { pagination: { next: number | string | null } }).pagination.next;
      if (next === null) break;
      from = String(next);
    }
    expect(pageSizes).toEqual([10, 10, 3]);
    expect(new Set(seen).size).toBe(23);
    expect(seen).toEqual([...names].reverse()); // most recently updated first
    expect(emulator.requests.count({ route: '/v10/projects' }) - before).toBe(3);
  });
});

describe('environment variables', () => {
  const project = 'env-project';
  const SECRET = 'sk_live_never_readable_0123456789';

  beforeAll(async () => {
    await vercel.projects.createProject({ teamId: TEAM, requestBody: { name: project } });
  });

  it('creates (201), keeps sensitive values write-only, and decrypts encrypted ones on request', async () => {
    const plain = await vercel.projects.createProjectEnv({
      idOrName: project,
      teamId: TEAM,
      requestBody: { key: 'NEXT_PUBLIC_URL', value: 'https://acme.test', type: 'plain', target: ['production', 'preview'] },
    });
    expect(plain.failed).toEqual([]);
    expect(emulator.requests.filter({ method: 'POST', route: '/v10/projects/{idOrName}/env' }).at(-1)?.status).toBe(201);
    await vercel.projects.createProjectEnv({ idOrName: project, teamId: TEAM, requestBody: { key: 'DATABASE_URL', value: 'postgres://db', type: 'encrypted', target: ['production'] } });
    const sensitive = await vercel.projects.createProjectEnv({
      idOrName: project,
      teamId: TEAM,
      requestBody: { key: 'STRIPE_SECRET', value: SECRET, type: 'sensitive', target: ['production'] },
    });
    const created = sensitive.created as { id: string; value?: string };
    expect(created.value).toBe('');

    const listed = await vercel.projects.filterProjectEnvs({ idOrName: project, teamId: TEAM });
    const envs = (listed as { envs: { key: string; value: string; type: string; decrypted?: boolean }[] }).envs;
    const byKey = Object.fromEntries(envs.map((e) => [e.key, e]));
    expect(byKey['NEXT_PUBLIC_URL']).toMatchObject({ type: 'plain', value: 'https://acme.test' });
    expect(byKey['DATABASE_URL']?.value).not.toBe('postgres://db');
    expect(byKey['DATABASE_URL']?.decrypted).toBe(false);
    expect(byKey['STRIPE_SECRET']).toMatchObject({ type: 'sensitive', value: '' });

    const decrypted = await vercel.projects.filterProjectEnvs({ idOrName: project, teamId: TEAM, decrypt: 'true' });
    const d = Object.fromEntries((decrypted as { envs: { key: string; value: string }[] }).envs.map((e) => [e.key, e.value]));
    expect(d['DATABASE_URL']).toBe('postgres://db');
    expect(d['STRIPE_SECRET']).toBe('');

    const one = await vercel.projects.getProjectEnv({ idOrName: project, id: created.id, teamId: TEAM });
    expect(one).toMatchObject({ key: 'STRIPE_SECRET', type: 'sensitive', decrypted: false });
    expect('value' in one ? one.value : undefined).toBeUndefined();

    // Nothing the emulator ever sent contains the sensitive value.
    expect(allRecords.filter((r) => JSON.stringify(r.body ?? '').includes(SECRET))).toEqual([]);
    expect(emulator.state.project(project, TEAM)?.envs.find((e) => e.key === 'STRIPE_SECRET')?.value).toBe(SECRET);
  });

  it('refuses duplicates (403 ENV_ALREADY_EXISTS) unless upsert, which updates in place', async () => {
    const dup = await sdkError(
      vercel.projects.createProjectEnv({ idOrName: project, teamId: TEAM, requestBody: { key: 'NEXT_PUBLIC_URL', value: 'x', type: 'plain', target: ['preview'] } }),
    );
    expect(dup).toMatchObject({ status: 403, body: { error: { code: 'ENV_ALREADY_EXISTS', envVarKey: 'NEXT_PUBLIC_URL' } } });

    const id = emulator.state.project(project, TEAM)?.envs.find((e) => e.key === 'NEXT_PUBLIC_URL')?.id;
    const upserted = await vercel.projects.createProjectEnv({
      idOrName: project,
      teamId: TEAM,
      upsert: 'true',
      requestBody: { key: 'NEXT_PUBLIC_URL', value: 'https://new.acme.test', type: 'plain', target: ['preview', 'production'] },
    });
    expect((upserted.created as { id: string; value: string }).id).toBe(id);
    expect((upserted.created as { value: string }).value).toBe('https://new.acme.test');
    expect(emulator.state.project(project, TEAM)?.envs.filter((e) => e.key === 'NEXT_PUBLIC_URL')).toHaveLength(1);

    const partial = await sdkError(
      vercel.projects.createProjectEnv({ idOrName: project, teamId: TEAM, upsert: 'true', requestBody: { key: 'NEXT_PUBLIC_URL', value: 'y', type: 'plain', target: ['preview'] } }),
    );
    expect(partial).toMatchObject({ status: 400, body: { error: { code: 'ENV_CONFLICT' } } });
  });

  it('reports per-item failures for batch creates', async () => {
    const res = await vercel.projects.createProjectEnv({
      idOrName: project,
      teamId: TEAM,
      requestBody: [
        { key: 'BATCH_A', value: 'a', type: 'plain', target: ['development'] },
        { key: 'DATABASE_URL', value: 'dup', type: 'encrypted', target: ['production'] },
      ],
    });
    expect((res.created as { key: string }[]).map((e) => e.key)).toEqual(['BATCH_A']);
    expect(res.failed.map((f) => f.error.code)).toEqual(['ENV_CONFLICT']);
  });

  it('edits, refuses un-sensitising and sensitive development vars, removes one and batch-removes', async () => {
    const envs = emulator.state.project(project, TEAM)!.envs;
    const db = envs.find((e) => e.key === 'DATABASE_URL')!;
    const edited = await vercel.projects.editProjectEnv({ idOrName: project, id: db.id, teamId: TEAM, requestBody: { value: 'postgres://db2', comment: 'rotated' } });
    expect(edited).toMatchObject({ key: 'DATABASE_URL', type: 'encrypted' });
    expect(edited.value).not.toBe('postgres://db2');
    const read = await vercel.projects.getProjectEnv({ idOrName: project, id: db.id, teamId: TEAM });
    expect(read).toMatchObject({ value: 'postgres://db2', decrypted: true, comment: 'rotated' });

    const secret = envs.find((e) => e.key === 'STRIPE_SECRET')!;
    expect((await sdkError(vercel.projects.editProjectEnv({ idOrName: project, id: secret.id, teamId: TEAM, requestBody: { type: 'plain' } }))).status).toBe(400);
    expect(
      (await sdkError(vercel.projects.createProjectEnv({ idOrName: project, teamId: TEAM, requestBody: { key: 'DEV_SECRET', value: 's', type: 'sensitive', target: ['development'] } }))).status,
    ).toBe(400);

    const removed = await vercel.projects.removeProjectEnv({ idOrName: project, id: secret.id, teamId: TEAM });
    expect(removed).toMatchObject({ key: 'STRIPE_SECRET', value: '' });
    expect((await sdkError(vercel.projects.getProjectEnv({ idOrName: project, id: secret.id, teamId: TEAM }))).status).toBe(404);

    const rest = emulator.state.project(project, TEAM)!.envs.map((e) => e.id);
    const batch = await vercel.projects.batchRemoveProjectEnv({ idOrName: project, teamId: TEAM, requestBody: { ids: [...rest, 'nope'] } });
    expect(batch).toEqual({ deleted: rest.length, ids: rest });
    expect(emulator.state.project(project, TEAM)!.envs).toEqual([]);
  });

  it('creates variables passed at project creation', async () => {
    const p = await vercel.projects.createProject({
      teamId: TEAM,
      requestBody: { name: 'with-envs', environmentVariables: [{ key: 'A', value: '1', target: 'production', type: 'plain' }] },
    });
    const envs = (await vercel.projects.filterProjectEnvs({ idOrName: p.id, teamId: TEAM })) as { envs: { key: string; target?: unknown }[] };
    expect(envs.envs).toMatchObject([{ key: 'A', target: ['production'] }]);
  });
});

describe('domains, DNS and domain config', () => {
  const project = 'domains-project';

  beforeAll(async () => {
    await vercel.projects.createProject({ teamId: TEAM, requestBody: { name: project } });
  });

  it('adds an apex and a www → apex 308 redirect, lists, updates and removes with redirects', async () => {
    const apex = await vercel.projects.addProjectDomain({ idOrName: project, teamId: TEAM, requestBody: { name: 'acme-notes.test' } });
    expect(apex).toMatchObject({ name: 'acme-notes.test', apexName: 'acme-notes.test', verified: true, redirect: null });
    expect(apex.verification).toBeUndefined();
    const www = await vercel.projects.addProjectDomain({
      idOrName: project,
      teamId: TEAM,
      requestBody: { name: 'www.acme-notes.test', redirect: 'acme-notes.test', redirectStatusCode: 308 },
    });
    expect(www).toMatchObject({ apexName: 'acme-notes.test', redirect: 'acme-notes.test', redirectStatusCode: 308, verified: true });

    const badRedirect = await sdkError(
      vercel.projects.addProjectDomain({ idOrName: project, teamId: TEAM, requestBody: { name: 'x.acme-notes.test', redirect: 'elsewhere.test' } }),
    );
    expect(badRedirect.status).toBe(400);
    const taken = await sdkError(vercel.projects.addProjectDomain({ idOrName: 'scoped', teamId: TEAM, requestBody: { name: 'acme-notes.test' } }));
    expect(taken).toMatchObject({ status: 409, body: { error: { code: 'domain_already_in_use' } } });

    const list = await vercel.projects.getProjectDomains({ idOrName: project, teamId: TEAM });
    expect(list.domains.map((d) => d.name).sort()).toEqual(['acme-notes.test', 'www.acme-notes.test']);
    expect(list.pagination).toMatchObject({ count: 2, next: null });
    const noRedirects = await vercel.projects.getProjectDomains({ idOrName: project, teamId: TEAM, redirects: 'false' });
    expect(noRedirects.domains.map((d) => d.name)).toEqual(['acme-notes.test']);

    const patched = await vercel.projects.updateProjectDomain({ idOrName: project, domain: 'www.acme-notes.test', teamId: TEAM, requestBody: { redirectStatusCode: 301 } });
    expect(patched.redirectStatusCode).toBe(301);
    expect((await vercel.projects.getProjectDomain({ idOrName: project, domain: 'www.acme-notes.test', teamId: TEAM })).redirectStatusCode).toBe(301);

    const blocked = await sdkError(vercel.projects.removeProjectDomain({ idOrName: project, domain: 'acme-notes.test', teamId: TEAM }));
    expect(blocked.status).toBe(409);
    await vercel.projects.addProjectDomain({ idOrName: project, teamId: TEAM, requestBody: { name: 'acme-notes.test' } }).catch(() => undefined);
  });

  it('asks for TXT verification on a domain claimed elsewhere, and verifies once the record exists', async () => {
    const added = await vercel.projects.addProjectDomain({ idOrName: project, teamId: TEAM, requestBody: { name: 'claimed.test' } });
    expect(added.verified).toBe(false);
    const challenge = added.verification?.[0];
    expect(challenge).toMatchObject({ type: 'TXT', domain: '_vercel.claimed.test', reason: 'pending_domain_verification' });
    expect(challenge?.value).toMatch(/^vc-domain-verify=claimed\.test,[0-9a-f]+$/);

    const early = await sdkError(vercel.projects.verifyProjectDomain({ idOrName: project, domain: 'claimed.test', teamId: TEAM }));
    expect(early).toMatchObject({ status: 400, body: { error: { code: 'missing_txt_record' } } });

    await vercel.dns.createRecord({ domain: 'claimed.test', teamId: TEAM, requestBody: { type: 'TXT', name: '_vercel', value: challenge!.value } });
    const verified = await vercel.projects.verifyProjectDomain({ idOrName: project, domain: 'claimed.test', teamId: TEAM });
    expect(verified.verified).toBe(true);
    const read = await vercel.projects.getProjectDomain({ idOrName: project, domain: 'claimed.test', teamId: TEAM });
    expect(read.verified).toBe(true);
    expect(read.verification).toBeUndefined();
  });

  it('does DNS record CRUD on an account domain', async () => {
    const domain = 'acme-notes.test';
    const a = await vercel.dns.createRecord({ domain, teamId: TEAM, requestBody: { type: 'A', name: '', value: '192.0.2.10', ttl: 300 } });
    const uid = ('uid' in a ? a.uid : undefined) ?? '';
    expect(uid).toMatch(/^rec_/);
    await vercel.dns.createRecord({ domain, teamId: TEAM, requestBody: { type: 'MX', name: '', value: 'mx.acme-notes.test', mxPriority: 10 } });
    await vercel.dns.createRecord({ domain, teamId: TEAM, requestBody: { type: 'CNAME', name: 'docs', value: 'cname.vercel-dns.com' } });
    const clash = await sdkError(vercel.dns.createRecord({ domain, teamId: TEAM, requestBody: { type: 'TXT', name: 'docs', value: 'x' } }));
    expect(clash.status).toBe(409);

    const listed = await vercel.dns.getRecords({ domain, teamId: TEAM });
    const records = (listed as { records: { id: string; type: string; name: string; value: string; mxPriority?: number }[] }).records;
    expect(records.map((r) => `${r.type} ${r.name} ${r.value}`).sort()).toEqual([
      'A  192.0.2.10',
      'CNAME docs cname.vercel-dns.com',
      'MX  mx.acme-notes.test',
    ]);

    const updated = await vercel.dns.updateRecord({ recordId: uid, teamId: TEAM, requestBody: { value: '192.0.2.11', comment: 'moved' } });
    expect(updated).toMatchObject({ id: uid, recordType: 'A', value: '192.0.2.11', domain, type: 'record' });

    await expect(vercel.dns.removeRecord({ domain, recordId: uid, teamId: TEAM })).resolves.toEqual({});
    expect(emulator.state.records(domain, TEAM).map((r) => r.type).sort()).toEqual(['CNAME', 'MX']);
    expect((await sdkError(vercel.dns.removeRecord({ domain, recordId: uid, teamId: TEAM }))).status).toBe(404);
    expect((await sdkError(vercel.dns.getRecords({ domain: 'not-mine.test', teamId: TEAM }))).status).toBe(404);
  });

  it('reports misconfigured until DNS points at Vercel (test marks, hosted records, or a custom resolver)', async () => {
    const before = await vercel.domains.getDomainConfig({ domain: 'www.acme-notes.test', teamId: TEAM, projectIdOrName: project });
    expect(before).toMatchObject({
      misconfigured: true,
      configuredBy: null,
      recommendedIPv4: [{ rank: 1, value: ['76.76.21.21'] }],
      recommendedCNAME: [{ rank: 1, value: 'cname.vercel-dns.com.' }],
    });
    emulator.dns.markConfigured('www.acme-notes.test', 'CNAME');
    const after = await vercel.domains.getDomainConfig({ domain: 'www.acme-notes.test', teamId: TEAM });
    expect(after).toMatchObject({ misconfigured: false, configuredBy: 'CNAME' });

    expect((await vercel.domains.getDomainConfig({ domain: 'acme-notes.test', teamId: TEAM })).misconfigured).toBe(true);
    await vercel.dns.createRecord({ domain: 'acme-notes.test', teamId: TEAM, requestBody: { type: 'A', name: '', value: '76.76.21.21' } });
    const apex = await vercel.domains.getDomainConfig({ domain: 'acme-notes.test', teamId: TEAM });
    expect(apex).toMatchObject({ misconfigured: false, configuredBy: 'A', recommendedCNAME: [] });

    const lookedUp: string[] = [];
    const custom = await startEmulator({
      dnsLookup: (name) => {
        lookedUp.push(name);
        return { a: name === 'ok.test' ? ['76.76.21.21'] : [], cname: [], txt: [] };
      },
    });
    expect((await custom.vercel.domains.getDomainConfig({ domain: 'ok.test' })).misconfigured).toBe(false);
    expect((await custom.vercel.domains.getDomainConfig({ domain: 'ko.test' })).misconfigured).toBe(true);
    expect(lookedUp).toEqual(['ok.test', 'ko.test']);

    const noHosting = await startEmulator({ hostedDns: false });
    await noHosting.vercel.projects.createProject({ requestBody: { name: 'nohost' } });
    await noHosting.vercel.projects.addProjectDomain({ idOrName: 'nohost', requestBody: { name: 'nohost.test' } });
    await noHosting.vercel.dns.createRecord({ domain: 'nohost.test', requestBody: { type: 'A', name: '', value: '76.76.21.21' } });
    expect((await noHosting.vercel.domains.getDomainConfig({ domain: 'nohost.test' })).misconfigured).toBe(true);
    noHosting.emulator.dns.markConfigured('nohost.test');
    expect((await noHosting.vercel.domains.getDomainConfig({ domain: 'nohost.test' })).configuredBy).toBe('A');
  });

  it('adapts a node:dns Resolver: no data is an empty answer, TXT chunks are joined, other failures throw', async () => {
    const fail = (code: string) => Promise.reject(Object.assign(new Error(code), { code }));
    const resolver = {
      resolve4: (name: string) => (name === 'a.test' ? Promise.resolve(['76.76.21.21']) : fail('ENOTFOUND')),
      resolveCname: () => fail('ENODATA'),
      resolveTxt: (name: string) => (name === 'broken.test' ? fail('ESERVFAIL') : Promise.resolve([['vc-domain-', 'verify=x']])),
    } as unknown as Resolver;
    const lookup = resolverLookup(resolver);
    expect(await lookup('a.test')).toEqual({ a: ['76.76.21.21'], cname: [], txt: ['vc-domain-verify=x'] });
    expect(await lookup('b.test')).toEqual({ a: [], cname: [], txt: ['vc-domain-verify=x'] });
    await expect(lookup('broken.test')).rejects.toThrow('ESERVFAIL');
  });
});

describe('deployments from git pushes', () => {
  it('deploys production on the production branch and previews elsewhere, unless previews are disabled', async () => {
    const notes = await vercel.projects.createProject({ teamId: TEAM, requestBody: { name: 'deploy-notes', gitRepository: { type: 'github', repo: 'acme/notes' } } });
    const quiet = await vercel.projects.createProject({
      teamId: TEAM,
      requestBody: { name: 'deploy-quiet', previewDeploymentsDisabled: true, gitRepository: { type: 'github', repo: 'acme/notes' } },
    });
    const shop = await vercel.projects.createProject({ teamId: TEAM, requestBody: { name: 'deploy-shop', gitRepository: { type: 'github', repo: 'acme/shop' } } });
    expect(shop.link && 'productionBranch' in shop.link ? shop.link.productionBranch : undefined).toBe('trunk');

    const prod = emulator.simulateGitPush({ repo: 'acme/notes', branch: 'main', sha: 'a'.repeat(40) });
    expect(prod.map((d) => [d.name, d.target])).toEqual([
      ['deploy-notes', 'production'],
      ['deploy-quiet', 'production'],
    ]);
    const preview = emulator.simulateGitPush({ repo: 'acme/notes', branch: 'feature/x', sha: 'b'.repeat(40) });
    expect(preview.map((d) => [d.name, d.target])).toEqual([['deploy-notes', null]]);
    expect(emulator.simulateGitPush({ repo: 'acme/shop', branch: 'main', sha: 'c'.repeat(40) }).map((d) => d.target)).toEqual([null]);

    const all = await vercel.deployments.getDeployments({ teamId: TEAM, projectId: notes.id });
    expect(all.deployments.map((d) => [d.target ?? null, d.meta?.['githubCommitRef']])).toEqual([
      [null, 'feature/x'],
      ['production', 'main'],
    ]);
    expect(all.deployments.every((d) => d.readyState === 'READY' && d.type === 'LAMBDAS' && d.projectId === notes.id)).toBe(true);
    const prodOnly = await vercel.deployments.getDeployments({ teamId: TEAM, projectId: 'deploy-notes', target: 'production' });
    expect(prodOnly.deployments.map((d) => d.uid)).toEqual([prod[0]!.uid]);
    const previews = await vercel.deployments.getDeployments({ teamId: TEAM, projectId: notes.id, target: 'preview' });
    expect(previews.deployments.map((d) => d.uid)).toEqual([preview[0]!.uid]);
    expect((await vercel.deployments.getDeployments({ teamId: TEAM, sha: 'b'.repeat(40) })).deployments).toHaveLength(1);
    expect((await vercel.deployments.getDeployments({ teamId: TEAM, projectId: quiet.id, branch: 'feature/x' })).deployments).toEqual([]);

    const one = await vercel.deployments.getDeployment({ idOrUrl: prod[0]!.uid, teamId: TEAM });
    expect(one).toMatchObject({ id: prod[0]!.uid, readyState: 'READY', target: 'production', projectId: notes.id });
    const byUrl = await vercel.deployments.getDeployment({ idOrUrl: prod[0]!.url, teamId: TEAM });
    expect('id' in byUrl ? byUrl.id : undefined).toBe(prod[0]!.uid);
    expect((await sdkError(vercel.deployments.getDeployment({ idOrUrl: 'dpl_missing', teamId: TEAM }))).status).toBe(404);

    const withAlias = await vercel.projects.getProject({ idOrName: notes.id, teamId: TEAM });
    expect(withAlias.alias?.map((a) => [a.domain, a.target, a.deployment?.id])).toEqual([['deploy-notes.vercel.app', 'PRODUCTION', prod[0]!.uid]]);

    const building = emulator.simulateGitPush({ repo: 'acme/notes', branch: 'main', sha: 'd'.repeat(40), readyState: 'BUILDING' })[0]!;
    expect((await vercel.deployments.getDeployments({ teamId: TEAM, projectId: notes.id, state: 'BUILDING' })).deployments.map((d) => d.uid)).toEqual([building.uid]);
    emulator.setDeploymentState(building.uid, 'ERROR');
    expect((await vercel.deployments.getDeployment({ idOrUrl: building.uid, teamId: TEAM })).readyState).toBe('ERROR');
  });

  it('builds each deployment with the variables of its target, and a redeploy with the current ones', async () => {
    const project = await vercel.projects.createProject({ teamId: TEAM, requestBody: { name: 'deploy-env', gitRepository: { type: 'github', repo: 'acme/notes' } } });
    const add = (key: string, value: string, target: ('production' | 'preview')[], gitBranch?: string) =>
      vercel.projects.createProjectEnv({ idOrName: project.id, teamId: TEAM, requestBody: { key, value, type: 'encrypted', target, ...(gitBranch ? { gitBranch } : {}) } });
    await add('GREETING', 'hello production', ['production']);
    await add('GREETING', 'hello preview', ['preview']);
    await add('GREETING', 'hello feature', ['preview'], 'feature/y');
    const push = (branch: string, sha: string) => emulator.simulateGitPush({ repo: 'acme/notes', branch, sha: sha.repeat(40) }).find((d) => d.name === 'deploy-env');
    const production = push('main', 'e');
    const feature = push('feature/y', 'f');
    const other = push('other', '1');
    expect([production!.env, feature!.env, other!.env]).toEqual([{ GREETING: 'hello production' }, { GREETING: 'hello feature' }, { GREETING: 'hello preview' }]);

    const listed = await vercel.projects.filterProjectEnvs({ idOrName: project.id, teamId: TEAM });
    const productionVar = ('envs' in listed ? listed.envs : []).find((e) => e.target?.includes('production'))!;
    await vercel.projects.editProjectEnv({ idOrName: project.id, id: productionVar.id!, teamId: TEAM, requestBody: { value: 'hello again' } });
    const redeployed = await vercel.deployments.createDeployment({ teamId: TEAM, requestBody: { name: 'deploy-env', deploymentId: production!.uid, target: 'production' } });
    const rebuilt = emulator.state.deployments(TEAM).find((d) => d.uid === redeployed.id)!;
    expect(rebuilt).toMatchObject({ target: 'production', readyState: 'READY', env: { GREETING: 'hello again' } });
    // The running deployment keeps what it was built with.
    expect(production!.env).toEqual({ GREETING: 'hello production' });
    expect((await sdkError(vercel.deployments.createDeployment({ teamId: TEAM, requestBody: { name: 'deploy-env', deploymentId: 'dpl_missing', target: 'production' } }))).status).toBe(404);
  });
});

describe('auth', () => {
  it('answers 403 like Vercel for a missing token, a bad token, and a team the token cannot use', async () => {
    const anonymous = new Vercel({ serverURL: url });
    const missing = await sdkError(anonymous.projects.getProjects({ teamId: TEAM }));
    expect(missing).toMatchObject({ status: 403, body: { error: { code: 'forbidden', missingToken: true } } });
    const bad = await sdkError(new Vercel({ bearerToken: 'tok_wrong', serverURL: url }).projects.getProjects({ teamId: TEAM }));
    expect(bad).toMatchObject({ status: 403, body: { error: { code: 'forbidden', message: 'Not authorized', invalidToken: true } } });
    const outsider = await sdkError(new Vercel({ bearerToken: 'tok_outsider', serverURL: url }).projects.getProjects({ teamId: TEAM }));
    expect(outsider).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect(outsider.body.error['invalidToken']).toBeUndefined();
    expect((await sdkError(vercel.projects.getProjects({ teamId: 'team_nope' }))).status).toBe(403);
  });

  it('can answer 401 for clients that expect it', async () => {
    const strict = await startEmulator({ authFailureStatus: 401 });
    const res = await sdkError(new Vercel({ bearerToken: 'nope', serverURL: strict.url }).projects.getProjects({}));
    expect(res).toMatchObject({ status: 401, body: { error: { invalidToken: true } } });
  });
});

describe('rate limits', () => {
  it('counts per endpoint, sends X-RateLimit-* (reset in epoch seconds), then 429 with Retry-After and error.limit', async () => {
    let now = Date.UTC(2030, 0, 1, 12, 0, 0);
    const limited = await startEmulator({ now: () => now, rateLimit: { perEndpoint: { getProjects: { limit: 3, windowMs: 60_000 } } } });
    const headers: string[][] = [];
    limited.emulator.onResponse((r) => headers.push([r.headers['x-ratelimit-limit'] ?? '', r.headers['x-ratelimit-remaining'] ?? '', r.headers['x-ratelimit-reset'] ?? '']));
    for (let i = 0; i < 3; i++) await limited.vercel.projects.getProjects({});
    const resetEpoch = String(Math.ceil((now + 60_000) / 1000));
    expect(headers).toEqual([
      ['3', '2', resetEpoch],
      ['3', '1', resetEpoch],
      ['3', '0', resetEpoch],
    ]);
    now += 20_000;
    const refused = await sdkError(limited.vercel.projects.getProjects({}));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('40');
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(refused.body.error).toEqual({
      code: 'rate_limited',
      message: 'Rate limit exceeded',
      limit: { remaining: 0, reset: Number(resetEpoch), resetMs: Date.UTC(2030, 0, 1, 12, 1, 0), total: 3 },
    });
    // Another endpoint has its own budget (default 1000).
    await limited.vercel.projects.createProject({ requestBody: { name: 'other-endpoint' } });
    expect(headers.at(-1)).toEqual(['1000', '999', String(Math.ceil((now + 60_000) / 1000))]);
    now += 40_000;
    await expect(limited.vercel.projects.getProjects({})).resolves.toBeDefined();
  });
});

describe('fault injection', () => {
  it('injects a 500 once, then serves normally', async () => {
    await vercel.projects.createProject({ teamId: TEAM, requestBody: { name: 'faulty' } });
    const fault = emulator.faults.inject({ kind: 'status', status: 500, times: 1, match: { method: 'GET', path: '/v9/projects/{idOrName}' } });
    const err = await sdkError(vercel.projects.getProject({ idOrName: 'faulty', teamId: TEAM }));
    expect(err).toMatchObject({ status: 500, body: { error: { code: 'internal_server_error' } } });
    expect(fault.fired).toBe(1);
    expect((await vercel.projects.getProject({ idOrName: 'faulty', teamId: TEAM })).name).toBe('faulty');
  });

  it('resets the connection', async () => {
    emulator.faults.inject({ kind: 'reset', times: 1, match: { path: /^\/v10\/projects$/ } });
    await expect(vercel.projects.getProjects({ teamId: TEAM })).rejects.toBeInstanceOf(ConnectionError);
    expect(emulator.requests.all().at(-1)).toMatchObject({ outcome: 'reset', status: null, fault: 'reset' });
    await expect(vercel.projects.getProjects({ teamId: TEAM })).resolves.toBeDefined();
  });

  it('holds the socket on timeout faults so the client times out', async () => {
    emulator.faults.inject({ kind: 'timeout', times: 1 });
    const impatient = new Vercel({ bearerToken: TOKEN, serverURL: url, timeoutMs: 300 });
    await expect(impatient.projects.getProject({ idOrName: 'faulty', teamId: TEAM })).rejects.toBeInstanceOf(RequestTimeoutError);
  });

  it('acceptThenTimeout: the create happens, its answer is lost, and a retry sees 409', async () => {
    emulator.faults.inject({ kind: 'acceptThenTimeout', after: 'reset', times: 1, match: { method: 'POST', path: '/v11/projects' } });
    await expect(vercel.projects.createProject({ teamId: TEAM, requestBody: { name: 'lost-answer' } })).rejects.toBeInstanceOf(ConnectionError);
    expect(emulator.state.project('lost-answer', TEAM)).toBeDefined();
    expect((await sdkError(vercel.projects.createProject({ teamId: TEAM, requestBody: { name: 'lost-answer' } }))).status).toBe(409);
    expect(emulator.requests.filter({ method: 'POST', path: '/v11/projects' }).slice(-2).map((e) => [e.outcome, e.handledStatus, e.status])).toEqual([
      ['reset', 200, null],
      ['replied', null, 409],
    ]);
  });
});

describe('contracts', () => {
  it('every response matched the OpenAPI subset and the SDK required fields', () => {
    expect(contractViolations).toEqual([]);
  });

  it('skipped exactly the operations the subset lacks, and aliased exactly the renamed versions', () => {
    expect([...undocumented].sort()).toEqual(EXPECTED_UNDOCUMENTED);
    expect([...aliased].sort()).toEqual(Object.entries(SPEC_ALIASES).map(([from, to]) => `${from} → ${to}`).sort());
  });

  it('exercised every emulated endpoint through the SDK', () => {
    const routes = emulator.server.routes().map((r) => `${r.method} ${r.template}`).sort();
    expect(routes.filter((r) => !exercised.has(r))).toEqual([]);
    expect(routes).toHaveLength(25);
  });
});
