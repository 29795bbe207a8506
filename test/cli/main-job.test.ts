/** The README's first command: the main job runs validate, plan, apply and a converged second plan. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('npm start (the main job)', () => {
  it('validates, plans, applies and then plans no changes against the sandbox', () => {
    const result = spawnSync(process.execPath, [new URL('../../src/sandbox/main-job.ts', import.meta.url).pathname], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('✓ 6 files valid');
    expect(result.stdout).toMatch(/Plan: (\d+) to create, 0 to update, 0 to replace, 0 to delete, 0 unchanged\./);
    expect(result.stdout).toMatch(/Applied \d+ change\(s\)\./);
    // supabase-js against the emulator, with the anon key: healthy, and RLS hides every row.
    expect(result.stdout).toContain('✓ smoke check: supabase/acme-notes-production/project/acme-notes-production: healthy; anon reads no rows of public.notes');
    expect(result.stdout).toMatch(/== second plan[^\n]*\n[\s\S]*Plan: 0 to create, 0 to update, 0 to replace, 0 to delete, \d+ unchanged/);
    expect(result.stdout).toMatch(/Main job done: the sandbox matches the configuration \(\d+ Vercel and \d+ Supabase API calls to the emulators\)/);
  });
});
