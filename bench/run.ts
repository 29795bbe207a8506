/**
 * `npm run bench`: performance figures as ratios to their goals (DESIGN §7).
 * Goals live here, not in timed tests: this machine is shared and noisy. Each section runs in
 * its own process, so peak memory is that section's own.
 */
import { execFileSync } from 'node:child_process';
import { formatTable, type BenchRow } from './table.ts';

const sections = ['validate', 'engine', 'kubernetes', 'vercel', 'supabase'];
const rows: BenchRow[] = [];
for (const section of sections) {
  try {
    const output = execFileSync(process.execPath, [new URL('./section.ts', import.meta.url).pathname, section], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    rows.push(...(JSON.parse(output) as BenchRow[]));
  } catch (error) {
    console.error(`bench section ${section} failed: ${(error as Error).message.split('\n')[0]}`);
    process.exitCode = 1;
  }
}
console.log(formatTable(rows));
