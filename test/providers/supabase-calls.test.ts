/** API calls per plan against the minimum (one list per kind and scope), printed for the record. */
import { describe, expect, it } from 'vitest';
import { measureSupabasePlanCalls, type SupabaseCallFigures } from './supabase-calls.ts';

const line = (label: string, f: SupabaseCallFigures) =>
  `${label}: ventures=${f.ventures} projects=${f.projects} resources=${f.resources} calls=${f.calls} requests=${f.requests} minimum=${f.minimum} ratio=${(f.calls / f.minimum).toFixed(2)} ${JSON.stringify(f.byOperation)}`;

describe('Supabase API calls per plan', () => {
  it('from empty: one directory call, whatever the number of projects', async () => {
    const rows = [];
    for (const ventures of [1, 5]) {
      const f = await measureSupabasePlanCalls({ ventures, applied: false });
      rows.push(line("from empty", f));
      expect(f.minimum).toBe(4 * f.projects);
      expect(f.calls).toBe(1);
      expect(f.requests).toBe(1);
    }
    console.log(rows.join('\n'));
  });

  it('converged: 1 + 4 per project (keys, pooler, auth, one database query), against a minimum of 4 per project', async () => {
    const rows = [];
    for (const ventures of [1, 3]) {
      const f = await measureSupabasePlanCalls({ ventures, applied: true });
      rows.push(line('converged', f));
      expect(f.resources).toBe(f.projects * 9);
      expect(f.minimum).toBe(4 * f.projects);
      expect(f.calls).toBe(1 + 4 * f.projects);
      expect(f.requests).toBe(f.calls);
      expect(f.byOperation).toEqual({ listProjects: 1, getApiKeys: f.projects, getPooler: f.projects, getAuthConfig: f.projects, readOnlyQuery: f.projects });
    }
    console.log(rows.join('\n'));
  }, 120_000);
});
