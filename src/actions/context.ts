/** Shared by the plan, apply and drift actions: the workspace, the secrets mask, the plan. */
import { openWorkspace, type Workspace } from '../cli/workspace.ts';
import { computePlan, type PlanOptions, type PlanResult } from '../engine/planner.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import { processRedactor } from '../secrets/redact.ts';
import type { ActionDeps } from './deps.ts';

/** Every secret value resolved in this process is masked in the workflow log, from the first one on. */
export function maskSecrets(deps: ActionDeps): void {
  processRedactor.onAdd((value) => deps.core.setSecret(value));
  for (const name of ['SHIPYARD_FINGERPRINT_KEY', 'SHIPYARD_STATE', 'GITHUB_TOKEN']) if (deps.env[name]) processRedactor.add(deps.env[name]!);
}

/** Workflows run on ephemeral runners: state must live somewhere durable, and fingerprints need the operator's key. */
export function checkDurableState(env: NodeJS.ProcessEnv): string | undefined {
  const state = env.SHIPYARD_STATE ?? '';
  if (!state || state.startsWith('sqlite:')) return 'SHIPYARD_STATE must name a durable state store (a postgres:// URL or kubernetes[:NAMESPACE]); a file on an ephemeral runner would forget what Shipyard owns.';
  if (!env.SHIPYARD_FINGERPRINT_KEY) return 'SHIPYARD_FINGERPRINT_KEY is not set: add it to the repository secrets, so plans made on different runners agree.';
  return undefined;
}

export function annotate(deps: ActionDeps, diagnostics: Diagnostic[], changed?: Map<string, Set<number>>): void {
  for (const d of diagnostics) {
    const onChangedLine = changed?.get(d.file)?.has(d.line) ?? false;
    const text = `${d.message}. ${d.hint}${changed && !onChangedLine ? ' (not on a line this pull request changed)' : ''}`;
    const properties = { title: d.code, ...(d.file ? { file: d.file, startLine: d.line, startColumn: d.column } : {}) };
    if (d.severity === 'error') deps.core.error(text, properties);
    else deps.core.warning(text, properties);
  }
}

export type Opened = { ok: true; workspace: Workspace } | { ok: false; diagnostics: Diagnostic[] };

export async function openRepository(deps: ActionDeps): Promise<Opened> {
  const io = {
    stdout: (text: string) => deps.core.info(text.trimEnd()),
    stderr: (text: string) => deps.core.info(text.trimEnd()),
    cwd: deps.cwd,
    env: deps.env,
    isTTY: false,
  };
  return openWorkspace(io, deps.cwd);
}

export async function planWorkspace(deps: ActionDeps, workspace: Workspace, options: PlanOptions): Promise<PlanResult> {
  const reporter = { emit: (event: { type: string }) => (event.type === 'read.failed' ? deps.core.warning(processRedactor.scrub(JSON.stringify(event))) : undefined) };
  return computePlan({
    desired: workspace.desired.resources, providers: workspace.providers, store: workspace.store, secrets: workspace.secrets, fingerprints: workspace.fingerprints, reporter,
    options: { revision: workspace.revision, tombstones: workspace.desired.tombstones, protectedEnvironments: workspace.desired.protectedEnvironments, ...options },
  });
}

export function listInput(value: string): string[] {
  return value.split(/[,\s]+/).map((s) => s.trim()).filter(Boolean);
}

export function runUrl(deps: ActionDeps): string {
  return `${deps.context.serverUrl}/${deps.context.repo.owner}/${deps.context.repo.repo}/actions/runs/${deps.context.runId}`;
}
