/** The embedded default backend: a SQLite file under .shipyard/ through node:sqlite. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SqlStateStore, type SqlDriver } from './sql-store.ts';

export async function openSqliteStore(file: string, options: { now?: () => Date } = {}): Promise<SqlStateStore> {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const db = new DatabaseSync(file);
  // Several processes may share the file (a CLI beside a running apply): wait for locks instead of failing.
  db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;');
  let depth = 0;
  // Prepared statements hold native memory the garbage collector cannot see: prepare each SQL text once.
  const statements = new Map<string, ReturnType<DatabaseSync['prepare']>>();
  const prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql.replace(/\$(\d+)/g, '?$1'));
      statements.set(sql, statement);
    }
    return statement;
  };
  const driver: SqlDriver = {
    name: `sqlite:${file}`,
    autoIncrementId: 'INTEGER PRIMARY KEY AUTOINCREMENT',
    async query(sql, params = []) {
      // SQLite binds `?N` by position; `$N` would be a named parameter.
      const statement = prepare(sql);
      if (/^\s*(SELECT|WITH)|RETURNING/i.test(sql)) return statement.all(...(params as never[])) as Record<string, unknown>[];
      statement.run(...(params as never[]));
      return [];
    },
    async transaction(work) {
      // node:sqlite is synchronous, so nothing interleaves inside one process; nested calls join the outer one.
      if (depth++ > 0) {
        try {
          return await work();
        } finally {
          depth--;
        }
      }
      db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work();
        db.exec('COMMIT');
        return result;
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      } finally {
        depth--;
      }
    },
    async close() {
      db.close();
    },
  };
  return SqlStateStore.open(driver, options);
}
