/** Validation throughput: 1,000 generated venture files through YAML parsing, ajv and cross-file checks. */
import { readFileSync } from 'node:fs';
import { loadConfigFiles, readConfigFiles, type ConfigFile } from '../src/config/load.ts';
import type { BenchRow } from './table.ts';

const repoRoot = new URL('../', import.meta.url).pathname;

export function generateVentures(count: number): ConfigFile[] {
  const template = readFileSync(`${repoRoot}ventures/acme-notes.yaml`, 'utf8');
  return Array.from({ length: count }, (_, i) => {
    const name = `venture-${String(i).padStart(4, '0')}`;
    const text = template
      .replaceAll('acme-notes', name)
      .replaceAll('acmenotes.com', `${name}.example`)
      .replaceAll('acme/notes', `acme/${name}`)
      .replaceAll('ACME_', `V${i}_`);
    return { path: `ventures/${name}.yaml`, text };
  });
}

export async function benchValidate(): Promise<BenchRow[]> {
  const environments = (await readConfigFiles(repoRoot)).filter((f) => f.path.startsWith('environments/'));
  const ventures = generateVentures(1000);
  loadConfigFiles(repoRoot, [...environments, ...ventures.slice(0, 20)]); // warm-up: compile schemas, JIT
  const started = performance.now();
  const result = loadConfigFiles(repoRoot, [...environments, ...ventures]);
  const seconds = (performance.now() - started) / 1000;
  if (result.diagnostics.length > 0) throw new Error(`generated ventures are invalid: ${result.diagnostics[0]!.message}`);
  return [{ figure: 'validate: files per second (1,000 ventures)', value: Math.round(ventures.length / seconds), unit: 'files/s', bound: 2000, goal: 'min' }];
}
