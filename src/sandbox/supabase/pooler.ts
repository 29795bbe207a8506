import type { EmulatorServer } from '../emulator-kit/server.ts';
import type { SupabaseContext } from './context.ts';
import { badRequest } from './errors.ts';
import { optEnum, rejectUnknown, requireObject } from './input.ts';
import type { PoolMode, ProjectRecord } from './store.ts';

// The shared pooler (Supavisor). The connection string carries the user but never a password.

function poolerHost(project: ProjectRecord): string {
  return `aws-0-${project.region}.pooler.supabase.com`;
}

function portOf(mode: PoolMode): number {
  return mode === 'transaction' ? 6543 : 5432;
}

export function renderPooler(project: ProjectRecord): Record<string, unknown> {
  const user = `postgres.${project.ref}`;
  const host = poolerHost(project);
  const port = portOf(project.pooler.poolMode);
  const connectionString = `postgresql://${user}@${host}:${port}/postgres`;
  return {
    identifier: project.ref,
    database_type: 'PRIMARY',
    is_using_scram_auth: true,
    db_user: user,
    db_host: host,
    db_port: port,
    db_name: 'postgres',
    connection_string: connectionString,
    connectionString,
    default_pool_size: project.pooler.defaultPoolSize,
    max_client_conn: project.pooler.maxClientConn,
    pool_mode: project.pooler.poolMode,
  };
}

export function registerPoolerRoutes(server: EmulatorServer, ctx: SupabaseContext): void {
  server.route('GET', '/v1/projects/{ref}/config/database/pooler', (req) => ({ status: 200, body: [renderPooler(ctx.project(req, req.params['ref'] ?? ''))] }));

  server.route('PATCH', '/v1/projects/{ref}/config/database/pooler', (req) => {
    const project = ctx.project(req, req.params['ref'] ?? '');
    const body = requireObject(req.body);
    rejectUnknown(body, new Set(['default_pool_size', 'pool_mode']));
    const size = body['default_pool_size'];
    if (size !== undefined && size !== null && (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > 3000)) {
      badRequest('default_pool_size must be an integer between 0 and 3000');
    }
    const mode = optEnum(body, 'pool_mode', ['transaction', 'session'] as const);
    if (size !== undefined) project.pooler.defaultPoolSize = size as number | null;
    if (mode !== undefined) project.pooler.poolMode = mode;
    return { status: 200, body: { default_pool_size: project.pooler.defaultPoolSize, pool_mode: project.pooler.poolMode } };
  });
}
