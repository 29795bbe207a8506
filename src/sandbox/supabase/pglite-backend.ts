import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { CLUSTER_ROLES_SQL, DATABASE_AUTH_SQL } from './auth-schema.ts';
import { jsonRows, quoteIdent, toSqlError, type DatabaseBackend, type ProjectDatabase, type QueryOptions, type RoleContext, type Row, type SqlRunner } from './backend.ts';

export interface PgliteBackendOptions {
  /** Parent directory for one data directory per project; omitted = in memory. */
  readonly dataDir?: string;
}

/** One embedded PGlite instance per project: each is its own cluster, so roles are per project. */
export class PgliteBackend implements DatabaseBackend {
  readonly kind = 'pglite';
  readonly #dataDir: string | undefined;
  readonly #open = new Set<PGlite>();

  constructor(options: PgliteBackendOptions = {}) {
    this.#dataDir = options.dataDir;
  }

  async create(ref: string): Promise<ProjectDatabase> {
    const dir = this.#dataDir === undefined ? undefined : join(this.#dataDir, ref);
    const db = new PGlite(dir);
    this.#open.add(db);
    try {
      await db.waitReady;
      await db.exec(CLUSTER_ROLES_SQL + DATABASE_AUTH_SQL);
    } catch (err) {
      await this.#release(db, dir);
      throw err;
    }
    return new PgliteProjectDatabase(db, () => this.#release(db, dir));
  }

  async close(): Promise<void> {
    const dbs = [...this.#open];
    this.#open.clear();
    await Promise.all(dbs.map((db) => db.close().catch(() => {})));
  }

  async #release(db: PGlite, dir: string | undefined): Promise<void> {
    if (this.#open.delete(db)) await db.close().catch(() => {});
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  }
}

class PgliteProjectDatabase implements ProjectDatabase {
  readonly url = undefined;
  readonly #db: PGlite;
  readonly #drop: () => Promise<void>;

  constructor(db: PGlite, drop: () => Promise<void>) {
    this.#db = db;
    this.#drop = drop;
  }

  async query(sql: string, options: QueryOptions = {}): Promise<Row[]> {
    const params = options.parameters && options.parameters.length > 0 ? [...options.parameters] : undefined;
    try {
      if (options.readOnly) {
        return await this.#db.transaction(async (tx) => {
          await tx.exec('set transaction read only');
          return params ? jsonRows((await tx.query<Row>(sql, params)).rows) : jsonRows((await tx.exec(sql)).at(-1)?.rows ?? []);
        });
      }
      // Without parameters: several statements may run; the last one answers.
      return params ? jsonRows((await this.#db.query<Row>(sql, params)).rows) : jsonRows((await this.#db.exec(sql)).at(-1)?.rows ?? []);
    } catch (err) {
      throw toSqlError(err) ?? err;
    }
  }

  async asRole<T>(ctx: RoleContext, work: (run: SqlRunner) => Promise<T>): Promise<T> {
    try {
      return await this.#db.transaction(async (tx) => {
        await tx.exec(`set local role ${quoteIdent(ctx.role)}`);
        await tx.query(`select set_config('request.jwt.claims', $1, true), set_config('request.method', $2, true), set_config('request.path', $3, true)`, [
          JSON.stringify(ctx.claims),
          ctx.method,
          ctx.path,
        ]);
        return work(async (sql, params) => jsonRows((await tx.query<Row>(sql, params ? [...params] : [])).rows));
      });
    } catch (err) {
      throw toSqlError(err) ?? err;
    }
  }

  drop(): Promise<void> {
    return this.#drop();
  }
}
