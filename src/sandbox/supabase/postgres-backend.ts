import pg from 'pg';
import { CLUSTER_ROLES_SQL, DATABASE_AUTH_SQL } from './auth-schema.ts';
import { jsonRows, quoteIdent, toSqlError, type DatabaseBackend, type ProjectDatabase, type QueryOptions, type RoleContext, type Row, type SqlRunner } from './backend.ts';

export interface PostgresBackendOptions {
  /** A superuser connection to the server, e.g. postgres://postgres@127.0.0.1:PORT/postgres. */
  readonly url: string;
  /** Database name = prefix + project ref; default "sb_". */
  readonly databasePrefix?: string;
  /** Connections per project database; default 4. */
  readonly poolSize?: number;
}

// Any constant works; it only has to be the same for every emulator sharing a server.
const ROLES_LOCK_KEY = 0x5b_a5e;

// int8 as a number (PGlite does the same), so both backends answer the same JSON.
const INT8_OID = 20;
function typeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (oid === INT8_OID) {
    return (v) => {
      const n = Number(v);
      return Number.isSafeInteger(n) ? n : v;
    };
  }
  return pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
}
const types = { getTypeParser: typeParser } as unknown as pg.CustomTypesConfig;

/** One database per project on a real PostgreSQL server; the API roles are shared by all of them. */
export class PostgresBackend implements DatabaseBackend {
  readonly kind = 'postgres';
  readonly #url: string;
  readonly #prefix: string;
  readonly #poolSize: number;
  readonly #admin: pg.Pool;
  readonly #open = new Set<pg.Pool>();
  #roles: Promise<void> | undefined;

  constructor(options: PostgresBackendOptions) {
    this.#url = options.url;
    this.#prefix = options.databasePrefix ?? 'sb_';
    this.#poolSize = options.poolSize ?? 4;
    this.#admin = new pg.Pool({ connectionString: options.url, max: 2 });
  }

  databaseName(ref: string): string {
    return `${this.#prefix}${ref}`;
  }

  async create(ref: string): Promise<ProjectDatabase> {
    await this.#ensureRoles();
    const name = this.databaseName(ref);
    await this.#admin.query(`create database ${quoteIdent(name)}`);
    const u = new URL(this.#url);
    u.pathname = `/${encodeURIComponent(name)}`;
    const url = u.toString();
    const pool = new pg.Pool({ connectionString: url, max: this.#poolSize, types });
    // A dropped or restarted server must not crash the process through an idle client.
    pool.on('error', () => {});
    this.#open.add(pool);
    try {
      await pool.query(DATABASE_AUTH_SQL);
    } catch (err) {
      await this.#dropDatabase(pool, name);
      throw err;
    }
    return new PostgresProjectDatabase(pool, url, () => this.#dropDatabase(pool, name));
  }

  async close(): Promise<void> {
    const pools = [...this.#open];
    this.#open.clear();
    await Promise.all(pools.map((p) => p.end().catch(() => {})));
    await this.#admin.end().catch(() => {});
  }

  async #dropDatabase(pool: pg.Pool, name: string): Promise<void> {
    if (this.#open.delete(pool)) await pool.end().catch(() => {});
    await this.#admin.query(`drop database if exists ${quoteIdent(name)} with (force)`);
  }

  #ensureRoles(): Promise<void> {
    this.#roles ??= (async () => {
      const client = await this.#admin.connect();
      try {
        // Other emulators (other test workers) may bootstrap the same server at the same time.
        await client.query('select pg_advisory_lock($1)', [ROLES_LOCK_KEY]);
        try {
          await client.query(CLUSTER_ROLES_SQL);
        } finally {
          await client.query('select pg_advisory_unlock($1)', [ROLES_LOCK_KEY]);
        }
      } finally {
        client.release();
      }
    })().catch((err: unknown) => {
      this.#roles = undefined;
      throw err;
    });
    return this.#roles;
  }
}

class PostgresProjectDatabase implements ProjectDatabase {
  readonly url: string;
  readonly #pool: pg.Pool;
  readonly #drop: () => Promise<void>;

  constructor(pool: pg.Pool, url: string, drop: () => Promise<void>) {
    this.#pool = pool;
    this.url = url;
    this.#drop = drop;
  }

  async query(sql: string, options: QueryOptions = {}): Promise<Row[]> {
    const client = await this.#pool.connect();
    try {
      if (options.readOnly) await client.query('begin transaction read only');
      try {
        const params = options.parameters;
        // Without parameters: simple protocol, so several statements may run; the last one answers.
        const result = (params && params.length > 0 ? await client.query(sql, [...params]) : await client.query(sql)) as pg.QueryResult | pg.QueryResult[];
        const last = Array.isArray(result) ? result.at(-1) : result;
        if (options.readOnly) await client.query('commit');
        return jsonRows((last?.rows ?? []) as Row[]);
      } catch (err) {
        if (options.readOnly) await client.query('rollback').catch(() => {});
        throw toSqlError(err) ?? err;
      }
    } finally {
      client.release();
    }
  }

  async asRole<T>(ctx: RoleContext, work: (run: SqlRunner) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query('begin');
      try {
        await client.query(`set local role ${quoteIdent(ctx.role)}`);
        await client.query(
          `select set_config('request.jwt.claims', $1, true), set_config('request.method', $2, true), set_config('request.path', $3, true)`,
          [JSON.stringify(ctx.claims), ctx.method, ctx.path],
        );
        const out = await work(async (sql, params) => jsonRows((await client.query(sql, params ? [...params] : [])).rows as Row[]));
        await client.query('commit');
        return out;
      } catch (err) {
        await client.query('rollback').catch(() => {});
        throw toSqlError(err) ?? err;
      }
    } finally {
      client.release();
    }
  }

  drop(): Promise<void> {
    return this.#drop();
  }
}
