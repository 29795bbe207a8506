/** One bench section in its own process; prints its rows as JSON, with its own peak memory. */
import { benchEngine } from './engine.ts';
import { benchKubernetes } from './kubernetes.ts';
import { peakRssMiB, type BenchRow } from './table.ts';
import { benchSupabase } from './supabase.ts';
import { benchValidate } from './validate.ts';
import { benchVercel } from './vercel.ts';

const section = process.argv[2];
const run: Record<string, () => Promise<BenchRow[]>> = { validate: benchValidate, engine: benchEngine, kubernetes: benchKubernetes, vercel: benchVercel, supabase: benchSupabase };
if (!section || !run[section]) throw new Error(`unknown bench section ${section}; one of ${Object.keys(run).join(', ')}`);
const rows = await run[section]();
// The Vercel and Supabase sections run the API emulators in the same process: their memory is not Shipyard's.
if (section !== 'vercel' && section !== 'supabase') rows.push({ figure: `${section}: peak memory of the section (RSS)`, value: Math.round(peakRssMiB()), unit: 'MiB', bound: 400, goal: 'max' });
process.stdout.write(JSON.stringify(rows));
