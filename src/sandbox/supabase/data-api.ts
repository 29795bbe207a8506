import type { EmulatorReply } from '../emulator-kit/reply.ts';
import type { EmulatorRequest, EmulatorServer } from '../emulator-kit/server.ts';
import { API_ROLES } from './auth-schema.ts';
import { quoteIdent, SqlError, type RoleContext, type SqlRunner } from './backend.ts';
import { NotReadyError, type SupabaseContext } from './context.ts';
import { isObject } from './input.ts';
import { looksLikeJwt, verifyJwt, type JwtClaims } from './jwt.ts';
import { knownProject } from './projects.ts';
import type { ProjectRecord } from './store.ts';

// Just enough of a project's data API for @supabase/supabase-js: `/rest/v1/<table>` select (with
// `select=`, eq-style filters, order, limit, offset) and insert, run the way PostgREST runs them:
// one transaction with `set local role <role>` and `request.jwt.claims`, so RLS decides exactly
// as on Supabase. Projects live under a path prefix so one emulator serves them all:
//   createClient(`${emulator.url}/project/<ref>`, key)
// The role comes from the Authorization bearer JWT (signed with the project's JWT secret) or,
// without one, from the apikey: anon / publishable → anon, service_role / secret → service_role.

export const PROJECT_PATH_PREFIX = '/project';
/** One shared rate-limit bucket that the Management API's limits and headers do not apply to. */
export const DATA_API_BUCKET = 'data-api';

const RESERVED_PARAMS = new Set(['select', 'order', 'limit', 'offset', 'columns', 'on_conflict']);
const OPERATORS: Readonly<Record<string, string>> = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

type PgrstError = { code: string; details: string | null; hint: string | null; message: string };

function pgrst(status: number, code: string, message: string, details: string | null = null, hint: string | null = null): EmulatorReply {
  const body: PgrstError = { code, details, hint, message };
  return { status, body };
}

class DataApiError extends Error {
  readonly reply: EmulatorReply;
  constructor(reply: EmulatorReply) {
    super('data api refusal');
    this.reply = reply;
  }
}

function refuse(reply: EmulatorReply): never {
  throw new DataApiError(reply);
}

function header(req: EmulatorRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The gateway's key check, then PostgREST's JWT check; answers the role and claims to run as. */
function authenticate(project: ProjectRecord, req: EmulatorRequest, nowMs: number): { role: string; claims: JwtClaims } {
  const apikey = header(req, 'apikey') ?? req.query.get('apikey') ?? undefined;
  if (!apikey) refuse({ status: 401, body: { message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' } });
  const key = project.apiKeys.find((k) => k.apiKey === apikey);
  if (!key) refuse({ status: 401, body: { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' } });
  if (key.type === 'legacy' && !project.legacyKeysEnabled) {
    refuse({ status: 401, body: { message: 'Legacy API keys are disabled', hint: 'Re-enable them in the Supabase dashboard, or use the new publishable and secret API keys.' } });
  }

  const bearer = /^\s*bearer\s+(\S+)\s*$/i.exec(header(req, 'authorization') ?? '')?.[1];
  let claims: JwtClaims;
  if (bearer !== undefined && looksLikeJwt(bearer)) {
    const checked = verifyJwt(bearer, project.jwtSecret, nowMs);
    if (!checked.ok) refuse(pgrst(401, checked.reason === 'JWT expired' ? 'PGRST303' : 'PGRST301', checked.reason));
    claims = checked.claims;
  } else if (bearer !== undefined && bearer !== apikey) {
    refuse(pgrst(401, 'PGRST301', 'Expected 3 parts in JWT; got 1'));
  } else if (key.type === 'legacy') {
    const checked = verifyJwt(key.apiKey, project.jwtSecret, nowMs);
    claims = checked.ok ? checked.claims : {};
  } else if (key.type === 'publishable') {
    claims = { iss: 'supabase', ref: project.ref, role: 'anon' };
  } else {
    claims = { iss: 'supabase', ref: project.ref, role: 'service_role', ...(key.secretJwtTemplate ?? {}) };
  }
  // PostgREST's anonymous role when the JWT names none.
  const role = typeof claims['role'] === 'string' ? claims['role'] : 'anon';
  if (!(API_ROLES as readonly string[]).includes(role)) refuse(pgrst(401, 'PGRST301', `role "${role}" does not exist or is not granted to authenticator`));
  return { role, claims: { ...claims, role } };
}

function tableName(req: EmulatorRequest): string {
  const table = req.params['table'] ?? '';
  if (!IDENT.test(table)) refuse(pgrst(404, 'PGRST205', `Could not find the table 'public.${table}' in the schema cache`));
  return `public.${quoteIdent(table)}`;
}

function selectList(req: EmulatorRequest): string {
  const raw = req.query.get('select');
  if (raw === null || raw.trim() === '' || raw.trim() === '*') return '*';
  const cols = raw.split(',').map((c) => c.trim());
  if (cols.some((c) => !IDENT.test(c))) refuse(pgrst(400, 'PGRST100', `failed to parse select parameter (${raw})`, 'only plain column lists are supported by the emulator'));
  return cols.map(quoteIdent).join(', ');
}

/** `col=op.value` → `"col" <op> $n`, with values bound as text and cast by PostgreSQL. */
function whereClause(req: EmulatorRequest, params: unknown[]): string {
  const parts: string[] = [];
  for (const [column, raw] of req.query) {
    if (RESERVED_PARAMS.has(column) || column === 'apikey') continue;
    if (!IDENT.test(column)) refuse(pgrst(400, 'PGRST100', `failed to parse filter (${column})`));
    const dot = raw.indexOf('.');
    const op = dot < 0 ? '' : raw.slice(0, dot);
    const value = dot < 0 ? '' : raw.slice(dot + 1);
    if (op === 'is') {
      const v = value.toLowerCase();
      if (!['null', 'true', 'false', 'unknown'].includes(v)) refuse(pgrst(400, 'PGRST100', `failed to parse filter (${raw})`));
      parts.push(`${quoteIdent(column)} is ${v}`);
      continue;
    }
    const sqlOp = OPERATORS[op];
    if (sqlOp === undefined) refuse(pgrst(400, 'PGRST100', `failed to parse filter (${raw})`, 'the emulator supports eq, neq, gt, gte, lt, lte and is'));
    params.push(value);
    parts.push(`${quoteIdent(column)} ${sqlOp} $${params.length}`);
  }
  return parts.length > 0 ? ` where ${parts.join(' and ')}` : '';
}

function orderClause(req: EmulatorRequest): string {
  const raw = req.query.get('order');
  if (!raw) return '';
  const terms = raw.split(',').map((term) => {
    const [col = '', ...mods] = term.split('.');
    if (!IDENT.test(col) || mods.some((m) => !['asc', 'desc', 'nullsfirst', 'nullslast'].includes(m))) refuse(pgrst(400, 'PGRST100', `failed to parse order (${raw})`));
    return [quoteIdent(col), ...mods.map((m) => (m === 'nullsfirst' ? 'nulls first' : m === 'nullslast' ? 'nulls last' : m))].join(' ');
  });
  return ` order by ${terms.join(', ')}`;
}

function pageClause(req: EmulatorRequest): string {
  const num = (key: string) => {
    const raw = req.query.get(key);
    if (raw === null) return undefined;
    if (!/^\d+$/.test(raw)) refuse(pgrst(400, 'PGRST100', `failed to parse ${key} (${raw})`));
    return Number(raw);
  };
  const limit = num('limit');
  const offset = num('offset');
  return `${limit !== undefined ? ` limit ${limit}` : ''}${offset !== undefined ? ` offset ${offset}` : ''}`;
}

function preferences(req: EmulatorRequest): Set<string> {
  return new Set(
    (header(req, 'prefer') ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== ''),
  );
}

function wantsObject(req: EmulatorRequest): boolean {
  return (header(req, 'accept') ?? '').includes('application/vnd.pgrst.object+json');
}

/**
 * The JSON PostgreSQL itself renders (to_json), as PostgREST answers it. A data-modifying CTE
 * must stay at the top level, so it comes in as `withClause`, ahead of the aggregate.
 */
async function jsonAgg(run: SqlRunner, inner: string, params: readonly unknown[], withClause = ''): Promise<unknown[]> {
  const rows = await run(`${withClause}select coalesce(json_agg(_r), '[]')::text as body from (${inner}) _r`, params);
  return JSON.parse(String(rows[0]?.['body'] ?? '[]')) as unknown[];
}

function shaped(req: EmulatorRequest, status: number, rows: unknown[]): EmulatorReply {
  const range = rows.length > 0 ? `0-${rows.length - 1}/*` : '*/*';
  if (!wantsObject(req)) return { status, body: rows, headers: { 'content-range': range } };
  if (rows.length !== 1) return pgrst(406, 'PGRST116', 'Cannot coerce the result to a single JSON object', `The result contains ${rows.length} rows`);
  return { status, body: rows[0], headers: { 'content-range': range } };
}

/** PostgREST's status for a PostgreSQL error (postgrest `Error.hs`, the common cases). */
function sqlErrorReply(err: SqlError, role: string, table: string): EmulatorReply {
  const body: PgrstError = { code: err.code, details: err.detail ?? null, hint: err.hint ?? null, message: err.message };
  if (err.code === '42P01') return pgrst(404, 'PGRST205', `Could not find the table '${table.replace(/"/g, '')}' in the schema cache`);
  if (err.code === '42501') return { status: role === 'anon' ? 401 : 403, body };
  if (err.code === '23505' || err.code === '23503') return { status: 409, body };
  if (err.code.startsWith('08') || err.code.startsWith('53')) return { status: 503, body };
  return { status: 400, body };
}

export function registerDataApiRoutes(server: EmulatorServer, ctx: SupabaseContext): void {
  const options = { public: true, rateLimitKey: DATA_API_BUCKET } as const;

  const withProject = (work: (project: ProjectRecord, req: EmulatorRequest) => Promise<EmulatorReply>) => async (req: EmulatorRequest) => {
    try {
      return await work(knownProject(ctx, req.params['ref'] ?? ''), req);
    } catch (err) {
      if (err instanceof DataApiError) return err.reply;
      if (err instanceof NotReadyError) return { status: 503, body: { message: err.message }, headers: { 'retry-after': '1' } };
      throw err;
    }
  };

  const run = async <T>(project: ProjectRecord, req: EmulatorRequest, table: string, work: (run: SqlRunner, auth: RoleContext) => Promise<T>): Promise<T | EmulatorReply> => {
    const { role, claims } = authenticate(project, req, ctx.now());
    const db = await ctx.database(project);
    const roleCtx: RoleContext = { role, claims, method: req.method, path: req.path };
    try {
      return await db.asRole(roleCtx, (sql) => work(sql, roleCtx));
    } catch (err) {
      if (err instanceof SqlError) return sqlErrorReply(err, role, table);
      throw err;
    }
  };

  server.route(
    'GET',
    `${PROJECT_PATH_PREFIX}/{ref}/rest/v1/{table}`,
    withProject(async (project, req) => {
      const table = tableName(req);
      const params: unknown[] = [];
      const inner = `select ${selectList(req)} from ${table}${whereClause(req, params)}${orderClause(req)}${pageClause(req)}`;
      const out = await run(project, req, table, (sql) => jsonAgg(sql, inner, params));
      return Array.isArray(out) ? shaped(req, 200, out) : out;
    }),
    options,
  );

  server.route(
    'POST',
    `${PROJECT_PATH_PREFIX}/{ref}/rest/v1/{table}`,
    withProject(async (project, req) => {
      const table = tableName(req);
      const rows = Array.isArray(req.body) ? req.body : [req.body];
      if (rows.length === 0 || !rows.every(isObject)) refuse(pgrst(400, 'PGRST102', 'Empty or invalid json'));
      const fromParam = req.query.get('columns');
      const columns = fromParam ? fromParam.split(',').map((c) => c.trim().replace(/^"|"$/g, '')) : [...new Set(rows.flatMap((r) => Object.keys(r)))];
      if (columns.length === 0 || columns.some((c) => !IDENT.test(c))) refuse(pgrst(400, 'PGRST102', 'Empty or invalid json'));
      const cols = columns.map(quoteIdent).join(', ');
      // PostgREST's own shape: the body as a recordset of the table's row type.
      const insert = `insert into ${table} (${cols}) select ${cols} from json_populate_recordset(null::${table}, $1::json)`;
      const representation = preferences(req).has('return=representation');
      const out = await run(project, req, table, async (sql) => {
        if (!representation) {
          await sql(insert, [JSON.stringify(rows)]);
          return [] as unknown[];
        }
        // RETURNING makes PostgreSQL apply the SELECT policies too, as on Supabase.
        return jsonAgg(sql, `select ${selectList(req)} from _ins`, [JSON.stringify(rows)], `with _ins as (${insert} returning *) `);
      });
      if (!Array.isArray(out)) return out;
      return representation ? shaped(req, 201, out) : { status: 201 };
    }),
    options,
  );

  server.route(
    'GET',
    `${PROJECT_PATH_PREFIX}/{ref}/auth/v1/health`,
    withProject(async () => ({ status: 200, body: { version: 'v2.177.0', name: 'GoTrue', description: 'GoTrue is a user registration and authentication API' } })),
    options,
  );
}
