/**
 * Supabase: API calls of one plan of 10 applied ventures (30 projects) against the minimum
 * (one list per kind and scope), through the real provider against the emulator on a real
 * PostgreSQL 15 started for the bench. One directory call serves every project, hence +1.
 */
import { startPostgres } from '../test/harness/postgres.ts';
import { measureSupabasePlanCalls } from '../test/providers/supabase-calls.ts';
import type { BenchRow } from './table.ts';

export async function benchSupabase(): Promise<BenchRow[]> {
  const postgres = await startPostgres();
  try {
    const figures = await measureSupabasePlanCalls({ ventures: 10, applied: true, postgresUrl: postgres.url });
    return [{ figure: `supabase: API calls per plan, ${figures.projects} projects (${figures.resources} resources)`, value: figures.calls, unit: 'calls', bound: figures.minimum + 1, goal: 'max' }];
  } finally {
    await postgres.stop();
  }
}
