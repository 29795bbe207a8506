/**
 * What the dashboard reads: the same parts a plan needs (a `Workspace` from src/cli/workspace.ts
 * is one), passed in so that tests can hand it emulator-backed providers and their own store.
 */
import type { RepositorySources } from '../providers/desired-state.ts';

export type DashboardSources = RepositorySources;
