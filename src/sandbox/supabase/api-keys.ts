import { createHash } from 'node:crypto';
import type { EmulatorRequest, EmulatorServer } from '../emulator-kit/server.ts';
import { nowIso, type SupabaseContext } from './context.ts';
import { badRequest, fail, notFound } from './errors.ts';
import { isObject, optString, queryBoolean, rejectUnknown, requireObject, type Obj } from './input.ts';
import { signJwt } from './jwt.ts';
import type { RandomSource } from './random.ts';
import type { ApiKeyRecord, ApiKeyType, ProjectRecord } from './store.ts';

// Legacy keys are HS256 JWTs signed with the project's JWT secret (role anon / service_role).
// New keys are opaque: sb_publishable_… and sb_secret_…; a secret key's value is masked unless
// the caller asks for `reveal=true` (supabase/cli passes it), and it acts as the role in its
// secret_jwt_template (service_role by default).

const TEN_YEARS_S = 10 * 365 * 24 * 3600;
const MASK = '•'.repeat(32);
const NAME_PATTERN = /^[a-z_][a-z0-9_]+$/;
const CREATE_KEYS = new Set(['type', 'name', 'description', 'secret_jwt_template']);
const UPDATE_KEYS = new Set(['name', 'description', 'secret_jwt_template']);

export function legacyKeyJwt(project: Pick<ProjectRecord, 'ref' | 'jwtSecret' | 'createdAtMs'>, role: 'anon' | 'service_role'): string {
  const iat = Math.floor(project.createdAtMs / 1000);
  return signJwt({ iss: 'supabase', ref: project.ref, role, iat, exp: iat + TEN_YEARS_S }, project.jwtSecret);
}

function newKeyValue(random: RandomSource, type: 'publishable' | 'secret'): string {
  return `sb_${type}_${random.token(22)}_${random.token(8)}`;
}

function prefixOf(key: ApiKeyRecord): string | null {
  if (key.type === 'legacy') return null;
  const head = `sb_${key.type}_`;
  return key.apiKey.slice(0, head.length + 4);
}

export function newApiKey(random: RandomSource, at: string, type: 'publishable' | 'secret', name: string, extra: { description?: string | null; secretJwtTemplate?: Record<string, unknown> | null } = {}): ApiKeyRecord {
  return {
    id: random.uuid(),
    type,
    name,
    apiKey: newKeyValue(random, type),
    description: extra.description ?? null,
    secretJwtTemplate: type === 'secret' ? (extra.secretJwtTemplate ?? { role: 'service_role' }) : null,
    insertedAt: at,
    updatedAt: at,
  };
}

/** A new project's keys: the two legacy JWTs and one default publishable and secret key. */
export function initialApiKeys(random: RandomSource, project: Pick<ProjectRecord, 'ref' | 'jwtSecret' | 'createdAtMs' | 'createdAt'>): ApiKeyRecord[] {
  const legacy = (role: 'anon' | 'service_role'): ApiKeyRecord => ({
    id: role,
    type: 'legacy',
    name: role,
    apiKey: legacyKeyJwt(project, role),
    description: `Legacy ${role} API key`,
    secretJwtTemplate: null,
    insertedAt: project.createdAt,
    updatedAt: project.createdAt,
  });
  return [
    legacy('anon'),
    legacy('service_role'),
    newApiKey(random, project.createdAt, 'publishable', 'default'),
    newApiKey(random, project.createdAt, 'secret', 'default'),
  ];
}

export function renderApiKey(key: ApiKeyRecord, reveal: boolean): Obj {
  const prefix = prefixOf(key);
  const masked = key.type === 'secret' && !reveal;
  return {
    name: key.name,
    api_key: masked ? `${prefix ?? ''}${MASK}` : key.apiKey,
    id: key.id,
    type: key.type,
    prefix,
    description: key.description,
    hash: key.type === 'legacy' ? null : createHash('sha256').update(key.apiKey).digest('base64url'),
    secret_jwt_template: key.secretJwtTemplate,
    inserted_at: key.insertedAt,
    updated_at: key.updatedAt,
  };
}

function findKey(project: ProjectRecord, id: string): ApiKeyRecord {
  const key = project.apiKeys.find((k) => k.id === id);
  if (!key) notFound('API key not found');
  return key;
}

function checkName(project: ProjectRecord, name: unknown, self?: ApiKeyRecord): string {
  if (typeof name !== 'string') badRequest('name must be a string');
  if (name.length < 4 || name.length > 64) badRequest('name must be between 4 and 64 characters long');
  if (!NAME_PATTERN.test(name)) badRequest(`name must match ${NAME_PATTERN.source} regular expression`);
  if (project.apiKeys.some((k) => k !== self && k.type !== 'legacy' && k.name === name)) fail(409, `API key with name ${name} already exists`);
  return name;
}

function optTemplate(o: Obj): Record<string, unknown> | null | undefined {
  const v = o['secret_jwt_template'];
  if (v === undefined || v === null) return v;
  if (!isObject(v)) badRequest('secret_jwt_template must be an object');
  return v;
}

function optDescription(o: Obj): string | null | undefined {
  return o['description'] === null ? null : optString(o, 'description');
}

export function registerApiKeyRoutes(server: EmulatorServer, ctx: SupabaseContext): void {
  const reveal = (req: EmulatorRequest) => queryBoolean(req.query, 'reveal') ?? false;
  const projectOf = (req: EmulatorRequest) => ctx.project(req, req.params['ref'] ?? '');

  server.route('GET', '/v1/projects/{ref}/api-keys', (req) => {
    const project = projectOf(req);
    return { status: 200, body: project.apiKeys.map((k) => renderApiKey(k, reveal(req))) };
  });

  server.route('POST', '/v1/projects/{ref}/api-keys', (req) => {
    const project = projectOf(req);
    const body = requireObject(req.body);
    rejectUnknown(body, CREATE_KEYS);
    const type = body['type'];
    if (type !== 'publishable' && type !== 'secret') badRequest('type must be one of the following values: publishable, secret');
    const name = checkName(project, body['name']);
    const template = optTemplate(body);
    if (template && type !== 'secret') badRequest('secret_jwt_template is only allowed for secret API keys');
    const description = optDescription(body);
    const key = newApiKey(ctx.random, nowIso(ctx), type as Exclude<ApiKeyType, 'legacy'>, name, {
      ...(description !== undefined ? { description } : {}),
      ...(template !== undefined ? { secretJwtTemplate: template } : {}),
    });
    project.apiKeys.push(key);
    return { status: 201, body: renderApiKey(key, reveal(req)) };
  });

  server.route('GET', '/v1/projects/{ref}/api-keys/legacy', (req) => ({ status: 200, body: { enabled: projectOf(req).legacyKeysEnabled } }));

  server.route('PUT', '/v1/projects/{ref}/api-keys/legacy', (req) => {
    const project = projectOf(req);
    const enabled = queryBoolean(req.query, 'enabled');
    if (enabled === undefined) badRequest('enabled must be a boolean value');
    project.legacyKeysEnabled = enabled;
    return { status: 200, body: { enabled } };
  });

  server.route('GET', '/v1/projects/{ref}/api-keys/{id}', (req) => {
    const key = findKey(projectOf(req), req.params['id'] ?? '');
    return { status: 200, body: renderApiKey(key, reveal(req)) };
  });

  server.route('PATCH', '/v1/projects/{ref}/api-keys/{id}', (req) => {
    const project = projectOf(req);
    const key = findKey(project, req.params['id'] ?? '');
    if (key.type === 'legacy') badRequest('Legacy API keys cannot be updated');
    const body = requireObject(req.body);
    rejectUnknown(body, UPDATE_KEYS);
    if (body['name'] !== undefined) key.name = checkName(project, body['name'], key);
    const description = optDescription(body);
    if (description !== undefined) key.description = description;
    const template = optTemplate(body);
    if (template !== undefined) {
      if (key.type !== 'secret' && template !== null) badRequest('secret_jwt_template is only allowed for secret API keys');
      key.secretJwtTemplate = template;
    }
    key.updatedAt = nowIso(ctx);
    return { status: 200, body: renderApiKey(key, reveal(req)) };
  });

  server.route('DELETE', '/v1/projects/{ref}/api-keys/{id}', (req) => {
    const project = projectOf(req);
    const key = findKey(project, req.params['id'] ?? '');
    if (key.type === 'legacy') badRequest('Legacy API keys cannot be deleted; disable them with PUT /v1/projects/{ref}/api-keys/legacy?enabled=false');
    project.apiKeys.splice(project.apiKeys.indexOf(key), 1);
    return { status: 200, body: renderApiKey(key, reveal(req)) };
  });
}
