/**
 * `npm run bench`: performance figures as ratios to their goals (DESIGN §7).
 * Goals live here, not in timed tests: this machine is shared and noisy.
 */
import { formatTable, peakRssMiB, type BenchRow } from './table.ts';
import { benchEngine } from './engine.ts';
import { benchKubernetes } from './kubernetes.ts';
import { benchValidate } from './validate.ts';

const rows: BenchRow[] = [];
rows.push(...(await benchValidate()));
rows.push({ figure: 'validate: peak memory (RSS)', value: Math.round(peakRssMiB()), unit: 'MiB', bound: 400, goal: 'max' });
rows.push(...(await benchEngine()));
rows.push({ figure: 'engine: peak memory (RSS) after plan+apply of 9,000 resources', value: Math.round(peakRssMiB()), unit: 'MiB', bound: 400, goal: 'max' });
try {
  rows.push(...(await benchKubernetes()));
} catch (error) {
  console.error(`kubernetes bench not run: ${(error as Error).message.split('\n')[0]}`);
  process.exitCode = 1;
}
console.log(formatTable(rows));
