/**
 * What Shipyard reads from a project's database, in ONE read-only query per project and plan:
 * every table of the user's schemas with its RLS switch, every policy there (deparsed, with
 * Shipyard's comment and the hash of the current deparsed form), and the database password
 * Shipyard keeps in schema `shipyard`.
 *
 * Why keep the password there: the Management API never returns it, the state store holds
 * fingerprints only, and Edge Function secrets answer digests. But databaseUrl must be the same
 * string on every plan (Vercel's DATABASE_URL is compared by fingerprint). The project's own
 * database is readable exactly by those who could already use the password (its owner, and the
 * Management API token Shipyard runs with); the schema is closed to the API roles and is not
 * exposed by the data API. On Supabase, Vault (`vault.create_secret`) would add encryption at
 * rest; plain PostgreSQL (tests, the sandbox) has no Vault, so a plain table it is.
 */
import { deparsedHashSql, quoteLiteral, type PolicyDefinition, type TableRef } from './rls-sql.ts';
import type { Row } from './client.ts';

export interface TableSnapshot {
  schema: string;
  name: string;
  rowLevelSecurity: boolean;
}

/** A live policy: its definition as pg_policies prints it, plus what Shipyard recorded beside it. */
export interface PolicySnapshot extends TableRef, PolicyDefinition {
  comment: string | null;
  deparsedHash: string;
}

export interface DatabaseSnapshot {
  tables: TableSnapshot[];
  policies: PolicySnapshot[];
  /** The postgres password Shipyard keeps; undefined when it does not know it. */
  password: string | undefined;
}

/** Platform schemas: Supabase's own, PostgreSQL's, and Shipyard's. */
const SYSTEM_SCHEMAS = [
  'pg_catalog', 'information_schema', 'pg_toast', 'auth', 'storage', 'realtime', '_realtime', 'extensions', 'graphql', 'graphql_public',
  'vault', 'pgsodium', 'pgsodium_masks', 'supabase_functions', 'supabase_migrations', 'net', 'cron', 'pgbouncer', '_analytics', 'pgtle', 'shipyard',
];
const USER_SCHEMA = `n.nspname not in (${SYSTEM_SCHEMAS.map(quoteLiteral).join(', ')}) and n.nspname not like 'pg\\_%'`;

// query_to_xml runs the credential read only when the table exists, inside one plain SELECT;
// hex keeps XML escaping out of the value.
const CREDENTIAL = `case when to_regclass('shipyard.credentials') is not null then (xpath('/row/v/text()', query_to_xml('select encode(convert_to(value, ''UTF8''), ''hex'') as v from shipyard.credentials where name = ''postgres''', false, true, '')))[1]::text end`;

export const SNAPSHOT_SQL = `select json_build_object(
  'tables', coalesce((select json_agg(json_build_object('schema', n.nspname, 'name', c.relname, 'rls', c.relrowsecurity) order by n.nspname, c.relname)
    from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind in ('r', 'p') and ${USER_SCHEMA}), '[]'::json),
  'policies', coalesce((select json_agg(json_build_object(
      'schema', n.nspname, 'table', c.relname, 'name', p.polname,
      'command', case p.polcmd when 'r' then 'select' when 'a' then 'insert' when 'w' then 'update' when 'd' then 'delete' else 'all' end,
      'roles', case when p.polroles = '{0}' then json_build_array('public') else (select coalesce(json_agg(r.rolname order by r.rolname), '[]'::json) from pg_roles r where r.oid = any(p.polroles)) end,
      'permissive', p.polpermissive,
      'using', pg_get_expr(p.polqual, p.polrelid),
      'withCheck', pg_get_expr(p.polwithcheck, p.polrelid),
      'comment', obj_description(p.oid, 'pg_policy'),
      'deparsedHash', ${deparsedHashSql('p')}) order by n.nspname, c.relname, p.polname)
    from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace where ${USER_SCHEMA}), '[]'::json),
  'credential', ${CREDENTIAL}
)::text as snapshot`;

export function parseSnapshot(rows: Row[]): DatabaseSnapshot {
  const raw = rows[0]?.['snapshot'];
  const parsed = (typeof raw === 'string' ? JSON.parse(raw) : raw ?? {}) as { tables?: Record<string, unknown>[]; policies?: Record<string, unknown>[]; credential?: string | null };
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    tables: (parsed.tables ?? []).map((t) => ({ schema: String(t['schema']), name: String(t['name']), rowLevelSecurity: t['rls'] === true })),
    policies: (parsed.policies ?? []).map((p) => ({
      schema: String(p['schema']),
      table: String(p['table']),
      name: String(p['name']),
      command: String(p['command']) as PolicySnapshot['command'],
      roles: (Array.isArray(p['roles']) ? (p['roles'] as unknown[]).map(String) : []).sort(),
      permissive: p['permissive'] !== false,
      using: text(p['using']),
      withCheck: text(p['withCheck']),
      comment: text(p['comment']),
      deparsedHash: String(p['deparsedHash'] ?? ''),
    })),
    password: typeof parsed.credential === 'string' && parsed.credential !== '' ? Buffer.from(parsed.credential, 'hex').toString('utf8') : undefined,
  };
}

/**
 * Keeps the password in schema `shipyard`, closed to the API roles. With `reset`, the password
 * is first set on the role itself (for a project whose password Shipyard never knew, or lost
 * when a run died between creating the project and keeping its password). One transaction.
 */
export function keepPasswordSql(password: string, options: { reset: boolean }): string {
  const literal = quoteLiteral(password);
  const closed = `revoke all on schema shipyard from public;
do $shipyard$ begin
  if exists (select 1 from pg_roles where rolname = 'anon') then
    revoke all on schema shipyard from anon, authenticated, service_role;
    revoke all on shipyard.credentials from anon, authenticated, service_role;
  end if;
end $shipyard$;`;
  return [
    ...(options.reset ? [`alter role postgres with password ${literal};`] : []),
    'create schema if not exists shipyard;',
    'create table if not exists shipyard.credentials (name text primary key, value text not null, updated_at timestamptz not null default now());',
    'revoke all on shipyard.credentials from public;',
    closed,
    `insert into shipyard.credentials (name, value) values ('postgres', ${literal}) on conflict (name) do update set value = excluded.value, updated_at = now();`,
  ].join('\n');
}
