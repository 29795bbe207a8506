import type { JwtClaims } from './jwt.ts';

// One real database per emulated project, behind an interface so tests can use a real
// PostgreSQL server (PostgresBackend) and the sandbox an embedded PGlite (PgliteBackend).

export type Row = Record<string, unknown>;

export interface QueryOptions {
  readonly parameters?: readonly unknown[];
  /** Run in a read-only transaction (the API's `read_only` / read-only endpoint). */
  readonly readOnly?: boolean;
}

/** What PostgREST sets per request before it runs the statement. */
export interface RoleContext {
  readonly role: string;
  readonly claims: JwtClaims;
  readonly method: string;
  readonly path: string;
}

export type SqlRunner = (sql: string, params?: readonly unknown[]) => Promise<Row[]>;

export interface ProjectDatabase {
  /** Management API `database/query`: as the owner `postgres`; rows of the last statement. */
  query(sql: string, options?: QueryOptions): Promise<Row[]>;
  /** Data API: one transaction with `set local role` and `request.jwt.claims`, as PostgREST does. */
  asRole<T>(ctx: RoleContext, work: (run: SqlRunner) => Promise<T>): Promise<T>;
  /** A direct connection URL when the backend has one (PostgresBackend). */
  readonly url: string | undefined;
  /** Releases connections and deletes the database. */
  drop(): Promise<void>;
}

export interface DatabaseBackend {
  readonly kind: string;
  /** Creates the project's database with the Supabase roles and `auth` schema in place. */
  create(ref: string): Promise<ProjectDatabase>;
  /** Releases every connection; databases are left as they are. */
  close(): Promise<void>;
}

/** A PostgreSQL error with the fields both drivers report. */
export class SqlError extends Error {
  readonly code: string;
  readonly detail: string | undefined;
  readonly hint: string | undefined;
  constructor(code: string, message: string, detail?: string, hint?: string) {
    super(message);
    this.name = 'SqlError';
    this.code = code;
    this.detail = detail;
    this.hint = hint;
  }
}

/** pg and PGlite both throw pg-protocol DatabaseErrors; anything else is not a SQL error. */
export function toSqlError(err: unknown): SqlError | undefined {
  if (err instanceof SqlError) return err;
  if (!(err instanceof Error)) return undefined;
  const e = err as Error & { code?: unknown; detail?: unknown; hint?: unknown };
  if (typeof e.code !== 'string' || !/^[0-9A-Z]{5}$/.test(e.code)) return undefined;
  return new SqlError(e.code, e.message, typeof e.detail === 'string' ? e.detail : undefined, typeof e.hint === 'string' ? e.hint : undefined);
}

/** Driver values → JSON: the two drivers parse types differently, the API speaks JSON. */
export function jsonValue(v: unknown): unknown {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Uint8Array) return `\\x${Buffer.from(v).toString('hex')}`;
  if (Array.isArray(v)) return v.map(jsonValue);
  return v;
}

export function jsonRows(rows: readonly Row[]): Row[] {
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, jsonValue(v)])));
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
