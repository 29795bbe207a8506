/**
 * The state store over SQL, shared by the sqlite and postgres backends. The statements use
 * `$1` placeholders, which both engines bind by position, and upserts both understand.
 * The lock is a row taken atomically by an upsert that only wins over an expired or own lock.
 */
import type { Address } from '../model/address.ts';
import { runsToPrune } from './retention.ts';
import { LockHeldError, type InventoryEntry, type JournalQuery, type JournalRecord, type LockInfo, type StateStore } from '../model/state.ts';

export interface SqlDriver {
  readonly name: string;
  /** Identity column DDL: differs between the engines. */
  readonly autoIncrementId: string;
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Runs the callback in one transaction. */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const SCHEMA_VERSION = 1;

export class SqlStateStore implements StateStore {
  readonly name: string;
  readonly #driver: SqlDriver;
  readonly #now: () => Date;

  private constructor(driver: SqlDriver, now: () => Date) {
    this.#driver = driver;
    this.name = driver.name;
    this.#now = now;
  }

  static async open(driver: SqlDriver, options: { now?: () => Date } = {}): Promise<SqlStateStore> {
    const store = new SqlStateStore(driver, options.now ?? (() => new Date()));
    await store.#migrate();
    return store;
  }

  async #migrate(): Promise<void> {
    const statements = [
      `CREATE TABLE IF NOT EXISTS shipyard_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS shipyard_inventory (
         address TEXT PRIMARY KEY, environment TEXT NOT NULL, venture TEXT, provider_id TEXT,
         protected INTEGER NOT NULL DEFAULT 0, depends_on TEXT NOT NULL DEFAULT '[]',
         fingerprints TEXT NOT NULL DEFAULT '{}', status TEXT NOT NULL, updated_at TEXT NOT NULL)`,
      `CREATE INDEX IF NOT EXISTS shipyard_inventory_env ON shipyard_inventory (environment)`,
      `CREATE TABLE IF NOT EXISTS shipyard_journal (
         id ${this.#driver.autoIncrementId}, run_id TEXT NOT NULL, plan_fingerprint TEXT NOT NULL, revision TEXT,
         actor TEXT NOT NULL, address TEXT NOT NULL, environment TEXT NOT NULL, action TEXT NOT NULL,
         outcome TEXT NOT NULL, message TEXT, at TEXT NOT NULL, duration_ms INTEGER)`,
      `CREATE INDEX IF NOT EXISTS shipyard_journal_run ON shipyard_journal (run_id)`,
      `CREATE TABLE IF NOT EXISTS shipyard_locks (
         environment TEXT PRIMARY KEY, owner TEXT NOT NULL, acquired_at TEXT NOT NULL, expires_at TEXT NOT NULL)`,
    ];
    await this.#driver.transaction(async () => {
      for (const statement of statements) await this.#driver.query(statement);
      await this.#driver.query(`INSERT INTO shipyard_meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO NOTHING`, [String(SCHEMA_VERSION)]);
    });
  }

  async listInventory(environment?: string): Promise<InventoryEntry[]> {
    const rows = environment
      ? await this.#driver.query(`SELECT * FROM shipyard_inventory WHERE environment = $1 ORDER BY address`, [environment])
      : await this.#driver.query(`SELECT * FROM shipyard_inventory ORDER BY address`);
    return rows.map((row) => ({
      address: row.address as Address,
      environment: row.environment as string,
      ...(row.venture ? { venture: row.venture as string } : {}),
      ...(row.provider_id ? { providerId: row.provider_id as string } : {}),
      ...(Number(row.protected) ? { protected: true } : {}),
      dependsOn: JSON.parse(row.depends_on as string) as Address[],
      fingerprints: JSON.parse(row.fingerprints as string) as Record<string, string>,
      status: row.status as InventoryEntry['status'],
      updatedAt: row.updated_at as string,
    }));
  }

  async putInventory(entries: InventoryEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.#driver.transaction(async () => {
      for (const e of entries) {
        await this.#driver.query(
          `INSERT INTO shipyard_inventory (address, environment, venture, provider_id, protected, depends_on, fingerprints, status, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (address) DO UPDATE SET environment = excluded.environment, venture = excluded.venture,
             provider_id = excluded.provider_id, protected = excluded.protected, depends_on = excluded.depends_on,
             fingerprints = excluded.fingerprints, status = excluded.status, updated_at = excluded.updated_at`,
          [e.address, e.environment, e.venture ?? null, e.providerId ?? null, e.protected ? 1 : 0, JSON.stringify(e.dependsOn ?? []), JSON.stringify(e.fingerprints), e.status, e.updatedAt],
        );
      }
    });
  }

  async removeInventory(addresses: Address[]): Promise<void> {
    if (addresses.length === 0) return;
    await this.#driver.transaction(async () => {
      for (const address of addresses) await this.#driver.query(`DELETE FROM shipyard_inventory WHERE address = $1`, [address]);
    });
  }

  async appendJournal(records: JournalRecord[]): Promise<void> {
    for (const r of records) {
      await this.#driver.query(
        `INSERT INTO shipyard_journal (run_id, plan_fingerprint, revision, actor, address, environment, action, outcome, message, at, duration_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [r.runId, r.planFingerprint, r.revision ?? null, r.actor, r.address, r.environment, r.action, r.outcome, r.message ?? null, r.at, r.durationMs ?? null],
      );
    }
  }

  async readJournal(query: JournalQuery = {}): Promise<JournalRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    for (const [column, value] of [['run_id', query.runId], ['environment', query.environment], ['address', query.address]] as const) {
      if (value === undefined) continue;
      params.push(value);
      where.push(`${column} = $${params.length}`);
    }
    params.push(query.limit ?? 10_000);
    const rows = await this.#driver.query(
      `SELECT * FROM (SELECT * FROM shipyard_journal ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}) recent ORDER BY id`,
      params,
    );
    return rows.map((row) => ({
      runId: row.run_id as string,
      planFingerprint: row.plan_fingerprint as string,
      ...(row.revision ? { revision: row.revision as string } : {}),
      actor: row.actor as string,
      address: row.address as Address,
      environment: row.environment as string,
      action: row.action as string,
      outcome: row.outcome as JournalRecord['outcome'],
      ...(row.message ? { message: row.message as string } : {}),
      at: row.at as string,
      ...(row.duration_ms !== null && row.duration_ms !== undefined ? { durationMs: Number(row.duration_ms) } : {}),
    }));
  }

  async pruneJournal(cutoff: string): Promise<{ runs: number; records: number }> {
    const summaries = await this.#driver.query(`SELECT run_id, environment, MAX(at) AS last, COUNT(*) AS n FROM shipyard_journal GROUP BY run_id, environment`, []);
    const runs = new Set(runsToPrune(summaries.map((row) => ({ runId: row.run_id as string, environment: row.environment as string, last: row.last as string })), cutoff));
    const records = summaries.filter((row) => runs.has(row.run_id as string)).reduce((sum, row) => sum + Number(row.n), 0);
    await this.#driver.transaction(async () => {
      for (const runId of runs) await this.#driver.query(`DELETE FROM shipyard_journal WHERE run_id = $1`, [runId]);
    });
    return { runs: runs.size, records };
  }

  async acquireLock(environment: string, owner: string, ttlMs: number): Promise<LockInfo> {
    const now = this.#now();
    const rows = await this.#driver.query(
      `INSERT INTO shipyard_locks (environment, owner, acquired_at, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (environment) DO UPDATE SET owner = excluded.owner, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
       WHERE shipyard_locks.expires_at < $3 OR shipyard_locks.owner = excluded.owner
       RETURNING environment, owner, acquired_at, expires_at`,
      [environment, owner, now.toISOString(), new Date(now.getTime() + ttlMs).toISOString()],
    );
    if (rows.length === 1) return toLock(rows[0]!);
    const holder = (await this.#driver.query(`SELECT * FROM shipyard_locks WHERE environment = $1`, [environment]))[0];
    if (!holder) return this.acquireLock(environment, owner, ttlMs); // released in between
    throw new LockHeldError(toLock(holder));
  }

  async renewLock(environment: string, owner: string, ttlMs: number): Promise<LockInfo> {
    const rows = await this.#driver.query(
      `UPDATE shipyard_locks SET expires_at = $3 WHERE environment = $1 AND owner = $2 RETURNING environment, owner, acquired_at, expires_at`,
      [environment, owner, new Date(this.#now().getTime() + ttlMs).toISOString()],
    );
    if (rows.length === 1) return toLock(rows[0]!);
    return this.acquireLock(environment, owner, ttlMs);
  }

  async releaseLock(environment: string, owner: string): Promise<void> {
    await this.#driver.query(`DELETE FROM shipyard_locks WHERE environment = $1 AND owner = $2`, [environment, owner]);
  }

  async forceUnlock(environment: string): Promise<LockInfo | undefined> {
    const rows = await this.#driver.query(`DELETE FROM shipyard_locks WHERE environment = $1 RETURNING environment, owner, acquired_at, expires_at`, [environment]);
    return rows[0] ? toLock(rows[0]) : undefined;
  }

  async listLocks(): Promise<LockInfo[]> {
    return (await this.#driver.query(`SELECT * FROM shipyard_locks ORDER BY environment`)).map(toLock);
  }

  async close(): Promise<void> {
    await this.#driver.close();
  }
}

function toLock(row: Record<string, unknown>): LockInfo {
  return { environment: row.environment as string, owner: row.owner as string, acquiredAt: row.acquired_at as string, expiresAt: row.expires_at as string };
}
