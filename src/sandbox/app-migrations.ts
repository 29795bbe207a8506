/**
 * The sandbox stands in for the application teams' migrations: Shipyard never creates tables
 * (apps own their schema), but RLS needs them. Each project's database gets the tables the
 * config secures, with the columns the sample policies use, as soon as it is created.
 */
import type { LoadedConfig } from '../config/load.ts';
import type { DatabaseBackend } from './supabase/backend.ts';

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

export function sandboxMigrations(config: LoadedConfig): string {
  const tables = new Set<string>();
  for (const { doc } of config.ventures) {
    for (const table of doc.spec?.supabase?.database?.tables ?? []) tables.add(`${ident(table.schema ?? 'public')}.${ident(table.name)}`);
  }
  return [...tables].sort()
    .map((table) => `create table if not exists ${table} (id uuid primary key default gen_random_uuid(), owner_id uuid, body text, created_at timestamptz not null default now());`)
    .join('\n');
}

/** A backend whose new databases come with the application's tables already migrated. */
export function withMigrations(backend: DatabaseBackend, sql: string): DatabaseBackend {
  return {
    kind: backend.kind,
    async create(ref) {
      const database = await backend.create(ref);
      if (sql.trim()) await database.query(sql);
      return database;
    },
    close: () => backend.close(),
  };
}
