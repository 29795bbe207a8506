/**
 * `shipyard rls-test`: a venture's `rlsTests` expectations ("anon selects 0 rows of notes",
 * "a user cannot insert a note for someone else") run against a real database, the way
 * PostgREST runs requests (contracts NOTES §4.2): per expectation `set local role <role>` and
 * `request.jwt.claims`, inside a subtransaction that is always rolled back, so nothing a test
 * writes stays. All expectations go in one script (one round trip): on a database URL through
 * `pg`, or on a project through the Management API's query endpoint.
 */
import pg from 'pg';
import type { RlsExpectation } from '../../model/config.ts';
import type { Row, SupabaseClient } from './client.ts';
import { dollarQuote, parseTable, qualified, quoteIdent, quoteLiteral } from './rls-sql.ts';

export type SqlRunner = (sql: string) => Promise<Row[]>;

interface Outcome {
  ok: boolean;
  rows?: number;
  code?: string;
  message?: string;
}

export interface RlsTestResult {
  expectation: RlsExpectation;
  passed: boolean;
  /** What was expected, in words. */
  expected: string;
  /** What happened, in words. */
  actual: string;
}

/** Insufficient privilege: a policy (or a missing grant) refused it. */
const DENIED = '42501';

/** "anon select public.notes", "authenticated (as 1111…) insert public.notes". */
export function describeExpectation(e: RlsExpectation): string {
  const who = e.as ? `${e.role} (as ${e.as})` : e.role;
  const table = parseTable(e.table);
  return `${who} ${e.can} ${table.schema}.${table.table}`;
}

function claimsOf(e: RlsExpectation): Record<string, string> {
  const claims: Record<string, string> = { role: e.role };
  if (e.as) claims.sub = e.as;
  if (e.role === 'authenticated') claims.aud = 'authenticated';
  return claims;
}

/** The statement one expectation tries, as the role (values bound through json_populate_record). */
function statement(e: RlsExpectation, target: string): { sql: string; needsColumn: boolean } {
  const values = e.values ?? {};
  const columns = Object.keys(values);
  const cols = columns.map(quoteIdent).join(', ');
  const record = `json_populate_record(null::${target}, ${quoteLiteral(JSON.stringify(values))})`;
  switch (e.can) {
    case 'select':
      return { sql: `select count(*) from ${target}`, needsColumn: false };
    case 'insert':
      return { sql: columns.length > 0 ? `insert into ${target} (${cols}) select ${cols} from ${record}` : `insert into ${target} default values`, needsColumn: false };
    case 'update':
      return columns.length > 0 ? { sql: `update ${target} set (${cols}) = (select ${cols} from ${record})`, needsColumn: false } : { sql: '', needsColumn: true };
    case 'delete':
      return { sql: `delete from ${target}`, needsColumn: false };
  }
}

/** One script: a DO block with a rolled-back subtransaction per expectation, results in a transaction-local setting. */
export function rlsTestScript(expectations: RlsExpectation[]): string {
  const cases = expectations.map((e, i) => {
    const target = qualified(parseTable(e.table));
    const { sql, needsColumn } = statement(e, target);
    const run = needsColumn
      ? `execute format('update %s set %s = %s', ${quoteLiteral(target)}, col, col)` // touch every visible row, change nothing
      : `execute ${quoteLiteral(sql)}${e.can === 'select' ? ' into n' : ''}`;
    return [
      '  begin',
      `    if to_regclass(${quoteLiteral(target)}) is null then raise exception using errcode = '42P01', message = ${quoteLiteral(`relation ${target} does not exist`)}; end if;`,
      ...(needsColumn ? [`    select quote_ident(attname) into col from pg_attribute where attrelid = to_regclass(${quoteLiteral(target)}) and attnum > 0 and not attisdropped order by attnum limit 1;`] : []),
      `    perform set_config('request.jwt.claims', ${quoteLiteral(JSON.stringify(claimsOf(e)))}, true);`,
      `    execute 'set local role ' || quote_ident(${quoteLiteral(e.role)});`,
      `    ${run};`,
      ...(e.can === 'select' ? [] : ['    get diagnostics n = row_count;']),
      `    results := results || jsonb_build_array(jsonb_build_object('i', ${i}, 'ok', true, 'rows', n));`,
      `    raise exception using errcode = 'SYRLS', message = 'shipyard rls-test: rolled back';`,
      `  exception when sqlstate 'SYRLS' then null;`,
      `    when others then results := results || jsonb_build_array(jsonb_build_object('i', ${i}, 'ok', false, 'code', sqlstate, 'message', sqlerrm));`,
      '  end;',
    ].join('\n');
  });
  const body = ['declare results jsonb := \'[]\'; n bigint; col text;', 'begin', ...cases, "  perform set_config('shipyard.rls_test', results::text, true);", 'end'].join('\n');
  return `do ${dollarQuote(body)};\nselect current_setting('shipyard.rls_test') as results;`;
}

export function evaluate(e: RlsExpectation, outcome: Outcome | undefined): RlsTestResult {
  const base = { expectation: e };
  if (!outcome) return { ...base, passed: false, expected: 'a result', actual: 'no result came back' };
  const actual = outcome.ok
    ? `${outcome.rows ?? 0} row(s)${e.can === 'select' ? '' : ' affected'}`
    : outcome.code === DENIED
      ? `denied (${outcome.message ?? DENIED})`
      : `failed: ${outcome.code ?? 'error'} ${outcome.message ?? ''}`.trim();
  if (e.can === 'select') {
    if (e.allowed === false) return { ...base, passed: !outcome.ok && outcome.code === DENIED, expected: 'denied', actual };
    if (e.rows !== undefined) return { ...base, passed: outcome.ok && outcome.rows === e.rows, expected: `${e.rows} row(s)`, actual };
    return { ...base, passed: outcome.ok, expected: 'allowed', actual };
  }
  // Writes: RLS refuses an insert (or an update's new row) with an error, and hides rows from
  // update/delete, which then touch none.
  const touches = outcome.ok && (e.can === 'insert' || (outcome.rows ?? 0) > 0);
  if (e.allowed === false) {
    const refused = (!outcome.ok && outcome.code === DENIED) || (outcome.ok && e.can !== 'insert' && (outcome.rows ?? 0) === 0);
    return { ...base, passed: refused, expected: 'denied', actual };
  }
  if (e.rows !== undefined) return { ...base, passed: outcome.ok && outcome.rows === e.rows, expected: `${e.rows} row(s) affected`, actual };
  return { ...base, passed: touches, expected: e.can === 'insert' ? 'allowed' : 'allowed (at least one row)', actual };
}

export async function runRlsTests(expectations: RlsExpectation[], run: SqlRunner): Promise<RlsTestResult[]> {
  if (expectations.length === 0) return [];
  const rows = await run(rlsTestScript(expectations));
  const raw = rows.at(-1)?.['results'];
  const outcomes = (typeof raw === 'string' ? JSON.parse(raw) : raw ?? []) as (Outcome & { i: number })[];
  const byIndex = new Map(outcomes.map((o) => [o.i, o]));
  return expectations.map((e, i) => evaluate(e, byIndex.get(i)));
}

/** A direct connection (`--database-url`), as a role that may `set role` to the API roles. */
export async function withPostgres<T>(url: string, work: (run: SqlRunner) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return await work(async (sql) => {
      const result = (await client.query(sql)) as pg.QueryResult | pg.QueryResult[];
      const last = Array.isArray(result) ? result.at(-1) : result;
      return (last?.rows ?? []) as Row[];
    });
  } finally {
    await client.end();
  }
}

/** Through the Management API's query endpoint (`--project REF`). */
export function managementApiRunner(client: SupabaseClient, ref: string): SqlRunner {
  return (sql) => client.query(`supabase/${ref}/rls-test`, ref, sql, { mutates: false });
}
