/** The postgres backend: a durable store for CI runners, which are ephemeral. */
import pg from 'pg';
import { AsyncLocalStorage } from 'node:async_hooks';
import { SqlStateStore, type SqlDriver } from './sql-store.ts';

export async function openPostgresStore(connectionString: string, options: { now?: () => Date } = {}): Promise<SqlStateStore> {
  const pool = new pg.Pool({ connectionString, max: 4 });
  // Queries inside transaction() must use the transaction's client.
  const current = new AsyncLocalStorage<pg.PoolClient>();
  const driver: SqlDriver = {
    name: 'postgres',
    autoIncrementId: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
    async query(sql, params = []) {
      const client = current.getStore();
      const result = client ? await client.query(sql, params) : await pool.query(sql, params);
      return result.rows as Record<string, unknown>[];
    },
    async transaction(work) {
      if (current.getStore()) return work();
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        // Migrations from two processes at once would race on CREATE TABLE: serialise them.
        await client.query('SELECT pg_advisory_xact_lock(7263)');
        const result = await current.run(client, work);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
  return SqlStateStore.open(driver, options);
}
