/**
 * One bench section in its own process; prints its rows as JSON, with its own peak memory.
 * Sections are imported on demand: loading the emulators' dependencies would count in the
 * memory of sections that never use them.
 */
import { peakRssMiB, type BenchRow } from './table.ts';

const sections: Record<string, () => Promise<() => Promise<BenchRow[]>>> = {
  validate: async () => (await import('./validate.ts')).benchValidate,
  engine: async () => (await import('./engine.ts')).benchEngine,
  kubernetes: async () => (await import('./kubernetes.ts')).benchKubernetes,
  vercel: async () => (await import('./vercel.ts')).benchVercel,
  supabase: async () => (await import('./supabase.ts')).benchSupabase,
};

const section = process.argv[2];
if (!section || !sections[section]) throw new Error(`unknown bench section ${section}; one of ${Object.keys(sections).join(', ')}`);
const rows = await (await sections[section]())();
// The Vercel and Supabase sections run the API emulators in the same process: their memory is not Shipyard's.
if (section !== 'vercel' && section !== 'supabase') rows.push({ figure: `${section}: peak memory of the section (RSS)`, value: Math.round(peakRssMiB()), unit: 'MiB', bound: 400, goal: 'max' });
process.stdout.write(JSON.stringify(rows));
