import { createHash } from 'node:crypto';
import type { EmulatorServer } from '../emulator-kit/server.ts';
import { nowIso, type SupabaseContext } from './context.ts';
import { badRequest } from './errors.ts';
import { isObject } from './input.ts';
import type { ProjectRecord } from './store.ts';

// Edge Function secrets. GET never returns a value, only its SHA-256 (the CLI's DIGEST column).
// Every project also has the platform's SUPABASE_* secrets, which users cannot set or delete.

const RESERVED_PREFIX = 'SUPABASE_';
const MAX_NAME = 256;
const MAX_VALUE = 24_576;

export function secretDigest(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

function reservedSecrets(project: ProjectRecord): [string, string][] {
  const key = (name: string) => project.apiKeys.find((k) => k.type === 'legacy' && k.name === name)?.apiKey ?? '';
  return [
    ['SUPABASE_ANON_KEY', key('anon')],
    ['SUPABASE_DB_URL', `postgresql://postgres@db.${project.ref}.supabase.co:5432/postgres`],
    ['SUPABASE_SERVICE_ROLE_KEY', key('service_role')],
    ['SUPABASE_URL', `https://${project.ref}.supabase.co`],
  ];
}

export function registerSecretRoutes(server: EmulatorServer, ctx: SupabaseContext): void {
  server.route('GET', '/v1/projects/{ref}/secrets', (req) => {
    const project = ctx.project(req, req.params['ref'] ?? '');
    const reserved = reservedSecrets(project).map(([name, value]) => ({ name, value: secretDigest(value) }));
    const own = [...project.secrets.values()].map((s) => ({ name: s.name, value: secretDigest(s.value), updated_at: s.updatedAt }));
    return { status: 200, body: [...reserved, ...own].sort((a, b) => a.name.localeCompare(b.name)) };
  });

  server.route('POST', '/v1/projects/{ref}/secrets', (req) => {
    const project = ctx.project(req, req.params['ref'] ?? '');
    if (!Array.isArray(req.body)) badRequest('Request body must be an array of {name, value}');
    const items = req.body.map((item: unknown, i) => {
      if (!isObject(item) || typeof item['name'] !== 'string' || typeof item['value'] !== 'string') badRequest(`${i}.name and ${i}.value must be strings`);
      const name = item['name'];
      const value = item['value'];
      if (name.startsWith(RESERVED_PREFIX)) badRequest(`Secret name must not start with the ${RESERVED_PREFIX} prefix: ${name}`);
      if (name === '' || name.length > MAX_NAME) badRequest(`${i}.name must be between 1 and ${MAX_NAME} characters long`);
      if (value.length > MAX_VALUE) badRequest(`${i}.value must be shorter than or equal to ${MAX_VALUE} characters`);
      return { name, value };
    });
    // All or nothing: validated above, applied here.
    const at = nowIso(ctx);
    for (const { name, value } of items) project.secrets.set(name, { name, value, updatedAt: at });
    return { status: 201 };
  });

  server.route('DELETE', '/v1/projects/{ref}/secrets', (req) => {
    const project = ctx.project(req, req.params['ref'] ?? '');
    if (!Array.isArray(req.body) || req.body.some((n) => typeof n !== 'string')) badRequest('Request body must be an array of secret names');
    for (const name of req.body as string[]) project.secrets.delete(name);
    return { status: 200 };
  });
}
