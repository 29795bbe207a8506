/**
 * What the dashboard reads: the same parts a plan needs (a `Workspace` from src/cli/workspace.ts
 * fits), passed in so that tests can hand it emulator-backed providers and their own store.
 */
import type { LoadedConfig } from '../config/load.ts';
import type { SecretSource } from '../engine/resolve.ts';
import type { Provider } from '../model/provider.ts';
import type { StateStore } from '../model/state.ts';
import type { DesiredState } from '../providers/desired-state.ts';
import type { Fingerprinter } from '../secrets/fingerprint.ts';

export interface DashboardSources {
  /** Repository root: the config files are read from here. */
  root: string;
  config: LoadedConfig;
  desired: DesiredState;
  providers: Provider[];
  store: StateStore;
  /** Used only by the drift check's planner, which fingerprints values and never returns them. */
  secrets: SecretSource;
  fingerprints: Fingerprinter;
}
