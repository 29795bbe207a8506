/**
 * The desired state of the whole repository: every provider's resources compiled from the
 * validated config, plus the tombstones and protected environments the safety rules need.
 */
import type { LoadedConfig } from '../config/load.ts';
import { locate } from '../config/source.ts';
import type { SecretSource } from '../engine/resolve.ts';
import type { VercelTarget } from '../model/config.ts';
import type { Provider } from '../model/provider.ts';
import type { StateStore } from '../model/state.ts';
import type { Fingerprinter } from '../secrets/fingerprint.ts';
import type { DesiredResource } from '../model/resource.ts';
import { compileEnvironment, isProtectedEnvironment } from './kubernetes/desired.ts';
import { compileSupabase } from './supabase/desired.ts';
import { compileVercel } from './vercel/desired.ts';

export interface DesiredState {
  resources: DesiredResource[];
  tombstones: { addresses: Set<string>; environments: Set<string>; ventures: Set<string> };
  protectedEnvironments: Set<string>;
}

/** What planning this repository needs: the CLI's workspace has it, and the dashboard takes it (tests hand it emulator-backed parts). */
export interface RepositorySources {
  /** Repository root: the config files are read from here. */
  root: string;
  config: LoadedConfig;
  desired: DesiredState;
  providers: Provider[];
  store: StateStore;
  /** Runner secrets: resolved to fingerprints for plans, never returned. */
  secrets: SecretSource;
  fingerprints: Fingerprinter;
}

export function compileDesiredState(config: LoadedConfig): DesiredState {
  const state: DesiredState = { resources: [], tombstones: { addresses: new Set(), environments: new Set(), ventures: new Set() }, protectedEnvironments: new Set() };
  const environments = config.environments.map((e) => e.doc);
  const byTarget = new Map<VercelTarget, string>();
  for (const env of environments) {
    const target = env.spec?.vercelTarget;
    if (target && target !== 'none') byTarget.set(target, env.metadata.name);
  }
  for (const { doc, source } of config.environments) {
    if (doc.tombstone) {
      state.tombstones.environments.add(doc.metadata.name);
      continue;
    }
    if (isProtectedEnvironment(doc)) state.protectedEnvironments.add(doc.metadata.name);
    state.resources.push(...compileEnvironment(doc, environments, { file: source.file, line: (path) => locate(source, path).line }));
  }
  for (const { doc, source } of config.ventures) {
    if (doc.tombstone) {
      state.tombstones.ventures.add(doc.metadata.name);
      continue;
    }
    const lines = { file: source.file, line: (path: (string | number)[]) => locate(source, path).line };
    state.resources.push(...compileSupabase(doc, lines), ...compileVercel(doc, byTarget, lines));
    for (const tombstone of doc.spec?.protection?.tombstones ?? []) state.tombstones.addresses.add(tombstone.address);
  }
  state.resources.sort((a, b) => a.address.localeCompare(b.address));
  return state;
}
