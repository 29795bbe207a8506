import type { EmulatorRequest, EmulatorServer } from '../emulator-kit/server.ts';
import { SqlError } from './backend.ts';
import { NotReadyError, type SupabaseContext } from './context.ts';
import { badRequest } from './errors.ts';
import { rejectUnknown, reqString, requireObject } from './input.ts';

// POST …/database/query runs SQL as the database owner on the project's real database and answers
// 201 with the last statement's rows ([] for DDL); SQL errors are 400 {message} in psql's wording.

function sqlErrorMessage(prefix: string, err: SqlError): string {
  const lines = [`${prefix}: ERROR:  ${err.code}: ${err.message}`];
  if (err.detail) lines.push(`DETAIL:  ${err.detail}`);
  if (err.hint) lines.push(`HINT:  ${err.hint}`);
  return lines.join('\n');
}

function queryHandler(ctx: SupabaseContext, readOnlyEndpoint: boolean) {
  const prefix = readOnlyEndpoint ? 'Failed to run read-only sql query' : 'Failed to run sql query';
  return async (req: EmulatorRequest) => {
    const project = ctx.project(req, req.params['ref'] ?? '');
    const body = requireObject(req.body);
    rejectUnknown(body, new Set(readOnlyEndpoint ? ['query', 'parameters'] : ['query', 'parameters', 'read_only']));
    const query = reqString(body, 'query', { minLength: 1 });
    const parameters = body['parameters'];
    if (parameters !== undefined && !Array.isArray(parameters)) badRequest('parameters must be an array');
    const readOnly = body['read_only'];
    if (readOnly !== undefined && typeof readOnly !== 'boolean') badRequest('read_only must be a boolean value');
    let rows;
    try {
      const db = await ctx.database(project);
      rows = await db.query(query, { ...(parameters ? { parameters } : {}), readOnly: readOnlyEndpoint || readOnly === true });
    } catch (err) {
      if (err instanceof SqlError) return { status: 400, body: { message: sqlErrorMessage(prefix, err) } };
      if (err instanceof NotReadyError) return { status: 400, body: { message: `${prefix}: ${err.message}` } };
      throw err;
    }
    return { status: 201, body: rows };
  };
}

export function registerDatabaseRoutes(server: EmulatorServer, ctx: SupabaseContext): void {
  server.route('POST', '/v1/projects/{ref}/database/query', queryHandler(ctx, false));
  server.route('POST', '/v1/projects/{ref}/database/query/read-only', queryHandler(ctx, true));
}
