/**
 * The SQL Shipyard compiles for RLS, run on the test run's real PostgreSQL 15 with the Supabase
 * roles and auth schema: quoting of hostile names, idempotence, the rolled-back preview, the
 * snapshot's view of policies, the kept password, and the expression guard.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSnapshot, keepPasswordSql, SNAPSHOT_SQL } from '../../src/providers/supabase/database-snapshot.ts';
import { checkExpression, dollarQuote, dropPolicySql, parsePolicyComment, previewPolicySql, qualified, quoteIdent, quoteLiteral, setRowLevelSecuritySql, upsertPolicySql, type PolicyDefinition, type TableRef } from '../../src/providers/supabase/rls-sql.ts';
import { runRlsTests, withPostgres } from '../../src/providers/supabase/rls-test.ts';
import type { ProjectDatabase } from '../../src/sandbox/supabase/backend.ts';
import { PostgresBackend } from '../../src/sandbox/supabase/postgres-backend.ts';
import { requirePostgres } from '../harness/services.ts';

const USER = '33333333-3333-4333-8333-333333333333';
const table: TableRef = { schema: 'Odd "Schema"', table: `it's a table` };
const policy: PolicyDefinition = { name: `owner's "read"; drop`, command: 'select', roles: ['authenticated', 'anon'].sort(), permissive: true, using: `owner = (select auth.uid()) and note <> ';not a statement end'`, withCheck: null };

let backend: PostgresBackend;
let db: ProjectDatabase;

beforeAll(async () => {
  backend = new PostgresBackend({ url: requirePostgres().url, databasePrefix: `sqlunit${process.pid}_` });
  db = await backend.create('rls');
  const schema = quoteIdent(table.schema);
  const target = qualified(table);
  await db.query(`create schema ${schema};
    create table ${target} (id serial primary key, owner uuid, note text not null default '');
    grant usage on schema ${schema} to anon, authenticated, service_role;
    grant all on all tables in schema ${schema} to anon, authenticated, service_role;
    grant all on all sequences in schema ${schema} to anon, authenticated, service_role;
    insert into ${target} (owner, note) values ('${USER}', 'mine'), (null, 'nobody''s');`);
});
afterAll(async () => {
  await db?.drop();
  await backend?.close();
});

const snapshot = async () => parseSnapshot(await db.query(SNAPSHOT_SQL, { readOnly: true }));

describe('RLS SQL on real PostgreSQL', () => {
  it('enables RLS and writes a policy with hostile names, twice without harm, commented with what the config wrote', async () => {
    await db.query(setRowLevelSecuritySql(table, true));
    await db.query(upsertPolicySql(table, policy));
    await db.query(upsertPolicySql(table, policy));
    const snap = await snapshot();
    expect(snap.tables).toEqual([{ schema: table.schema, name: table.table, rowLevelSecurity: true }]);
    expect(snap.policies).toHaveLength(1);
    const [live] = snap.policies;
    expect(live).toMatchObject({ schema: table.schema, table: table.table, name: policy.name, command: 'select', roles: ['anon', 'authenticated'], permissive: true, withCheck: null });
    expect(live!.using).toBe(`((owner = ( SELECT auth.uid() AS uid)) AND (note <> ';not a statement end'::text))`);
    const comment = parsePolicyComment(live!.comment);
    expect(comment).toEqual({ using: policy.using, withCheck: null, deparsed: live!.deparsedHash });
  });

  it('previews in a subtransaction that is always rolled back, and reports the deparsed form', async () => {
    const rows = await db.query(previewPolicySql(table, { ...policy, command: 'update', withCheck: 'owner is not null' }, 'shipyard_preview_x'));
    expect(JSON.parse(String(rows[0]!['preview']))).toEqual({ using: expect.stringContaining('SELECT auth.uid() AS uid'), withCheck: '(owner IS NOT NULL)' });
    expect((await snapshot()).policies.map((p) => p.name)).toEqual([policy.name]);
    await expect(db.query(previewPolicySql({ schema: 'public', table: 'missing' }, policy, 'shipyard_preview_y'))).rejects.toMatchObject({ code: '42P01' });
  });

  it('behaves as declared for the API roles, and drops cleanly (also when the table is gone)', async () => {
    const results = await withPostgres(db.url!, (run) =>
      runRlsTests([
        { role: 'anon', can: 'select', table: `${table.schema}.${table.table}`, rows: 0 },
        { role: 'authenticated', as: USER, can: 'select', table: `${table.schema}.${table.table}`, rows: 1 },
        { role: 'authenticated', as: USER, can: 'insert', table: `${table.schema}.${table.table}`, values: { owner: USER, note: `it's "quoted"` }, allowed: false },
        { role: 'service_role', can: 'update', table: `${table.schema}.${table.table}`, rows: 2 },
      ], run),
    );
    expect(results.map((r) => [r.passed, r.actual])).toEqual([
      [true, '0 row(s)'],
      [true, '1 row(s)'],
      [true, expect.stringMatching(/^denied \(new row violates row-level security policy/)],
      [true, '2 row(s) affected'],
    ]);
    await db.query(dropPolicySql(table, policy.name));
    await db.query(dropPolicySql(table, policy.name));
    expect((await snapshot()).policies).toEqual([]);
    await db.query(dropPolicySql({ schema: 'public', table: 'never_existed' }, 'p'));
  });

  it('keeps a password in schema shipyard, closed to the API roles, and reads it back in the snapshot', async () => {
    expect((await snapshot()).password).toBeUndefined();
    const password = `p'a<&>"ss$shipyard$`;
    await db.query(keepPasswordSql(password, { reset: false }));
    await db.query(keepPasswordSql(password, { reset: false }));
    expect((await snapshot()).password).toBe(password);
    expect((await snapshot()).tables.map((t) => t.schema)).not.toContain('shipyard');
    const denied = await withPostgres(db.url!, (run) => runRlsTests([{ role: 'service_role', can: 'select', table: 'shipyard.credentials', allowed: false }], run));
    expect(denied[0]!.passed).toBe(true);
  });

  it('accepts one expression and refuses anything that could end the statement', () => {
    for (const ok of [`a = ';'`, `"we;ird" = 1`, `x = $q$ ) ; $q$`, `f(a) -- trailing ; comment`, `/* ; ) */ a`, `(a and (b or c))`]) expect(() => checkExpression(ok, 'using')).not.toThrow();
    expect(() => checkExpression('true); drop table x; --', 'using')).toThrow(/closes a parenthesis/);
    expect(() => checkExpression('true; drop table x', 'using')).toThrow(/contains ";"/);
    expect(() => checkExpression('(true', 'withCheck')).toThrow(/leaves 1 parenthesis/);
    expect(() => checkExpression(`'open`, 'using')).toThrow(/unterminated string/);
    expect(() => checkExpression('   ', 'using')).toThrow(/empty/);
    expect(dollarQuote('a $shipyard$ b')).toBe('$shipyard1$a $shipyard$ b$shipyard1$');
    expect(quoteLiteral(`it's`)).toBe(`'it''s'`);
  });
});
