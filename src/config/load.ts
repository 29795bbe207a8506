/**
 * Loading the configuration: every YAML file of environments/ and ventures/ is parsed with
 * source positions, checked against its JSON Schema, then checked across files.
 * Loading never throws for bad input: it returns diagnostics.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { EnvironmentDoc, VentureDoc } from '../model/config.ts';
import { compareDiagnostics, type Diagnostic } from '../model/diagnostic.ts';
import { crossCheck } from './cross-checks.ts';
import { validateAgainstSchema, type DocumentKind } from './schema.ts';
import { locate, parseSourceFile, type JsonPath, type SourceFile } from './source.ts';

export interface Loaded<T> {
  doc: T;
  source: SourceFile;
}

export interface LoadedConfig {
  root: string;
  environments: Loaded<EnvironmentDoc>[];
  ventures: Loaded<VentureDoc>[];
  diagnostics: Diagnostic[];
}

export interface ConfigFile {
  /** Relative to the config root, e.g. `ventures/acme-notes.yaml`. */
  path: string;
  text: string;
}

const directories: Record<string, DocumentKind> = { environments: 'Environment', ventures: 'Venture' };

export async function readConfigFiles(root: string): Promise<ConfigFile[]> {
  const files: ConfigFile[] = [];
  for (const directory of Object.keys(directories)) {
    let names: string[];
    try {
      names = await readdir(path.join(root, directory));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    for (const name of names.sort()) {
      if (!/\.ya?ml$/.test(name)) continue;
      const relative = `${directory}/${name}`;
      files.push({ path: relative, text: await readFile(path.join(root, relative), 'utf8') });
    }
  }
  return files;
}

export async function loadConfig(root: string): Promise<LoadedConfig> {
  return loadConfigFiles(root, await readConfigFiles(root));
}

export function loadConfigFiles(root: string, files: ConfigFile[]): LoadedConfig {
  const config: LoadedConfig = { root, environments: [], ventures: [], diagnostics: [] };
  // An environment whose file is broken still exists: references to it should not cascade into more errors.
  const brokenEnvironments: string[] = [];
  for (const file of files) {
    const kind = directories[file.path.split('/')[0] ?? ''];
    if (!kind) continue;
    const { source, data, diagnostics } = parseSourceFile(file.path, file.text);
    config.diagnostics.push(...diagnostics);
    if (diagnostics.some((d) => d.severity === 'error')) continue;
    const kindProblem = checkKind(kind, data, source);
    if (kindProblem) {
      config.diagnostics.push(kindProblem);
      continue;
    }
    const schemaDiagnostics = validateAgainstSchema(kind, data, source);
    config.diagnostics.push(...schemaDiagnostics);
    if (schemaDiagnostics.length > 0) continue;
    if (kind === 'Environment') config.environments.push({ doc: data as EnvironmentDoc, source });
    else config.ventures.push({ doc: data as VentureDoc, source });
  }
  for (const file of files) {
    const broken = file.path.startsWith('environments/') && !config.environments.some((e) => e.source.file === file.path);
    if (broken) brokenEnvironments.push(file.path.replace(/^environments\/|\.ya?ml$/g, ''));
  }
  config.diagnostics.push(...crossCheck(config, brokenEnvironments));
  config.diagnostics.sort(compareDiagnostics);
  return config;
}

/** A document in the wrong folder or an empty file would drown in schema noise; say it plainly. */
function checkKind(expected: DocumentKind, data: unknown, source: SourceFile): Diagnostic | undefined {
  const at = (p: JsonPath) => ({ ...locate(source, p), severity: 'error' as const });
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return {
      ...at([]),
      code: 'document.not-a-mapping',
      message: `the file does not hold a ${expected} document`,
      hint: `Start the file with \`apiVersion: shipyard.dev/v1\` and \`kind: ${expected}\` (see schemas/${expected.toLowerCase()}.schema.json).`,
    };
  }
  const kind = (data as { kind?: unknown }).kind;
  if (kind !== undefined && kind !== expected) {
    return {
      ...at(['kind']),
      code: 'document.wrong-kind',
      message: `a \`${String(kind)}\` document in ${source.file.split('/')[0]}/, which holds \`${expected}\` documents`,
      hint: `Move the file to the folder for its kind, or set \`kind: ${expected}\`.`,
    };
  }
  return undefined;
}

export function hasErrors(diagnostics: Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
