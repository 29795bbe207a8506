import { it, expect } from 'vitest';
import pg from 'pg';
import { startPostgres } from '../harness/postgres.ts';
it('starts', async () => {
  const t0 = Date.now();
  const s = await startPostgres();
  console.log('started in', Date.now() - t0, s.url);
  const url = await s.createDatabase('x_y');
  const c = new pg.Client(url); await c.connect();
  const r = await c.query('select version(), current_user');
  console.log(r.rows);
  await c.end();
  await s.stop();
  expect(1).toBe(1);
});
