/**
 * Drift: a read-only plan of the whole repository (the same planner as `shipyard drift`),
 * reduced to which environments and ventures differ from git and by which addresses. Only
 * addresses and actions leave this module: the plan's masked values stay here.
 */
import { computePlan } from '../engine/planner.ts';
import { silentReporter } from '../model/events.ts';
import { processRedactor } from '../secrets/redact.ts';
import type { DriftResponse, DriftScope } from './api-types.ts';
import type { DashboardSources } from './sources.ts';

export async function checkDrift(sources: DashboardSources): Promise<DriftResponse> {
  const { plan } = await computePlan({
    desired: sources.desired.resources, providers: sources.providers, store: sources.store, secrets: sources.secrets, fingerprints: sources.fingerprints,
    reporter: silentReporter,
    options: { tombstones: sources.desired.tombstones, protectedEnvironments: sources.desired.protectedEnvironments },
  });
  const pending = plan.changes.filter((c) => c.action !== 'noop');
  const failedReads = plan.diagnostics.filter((d) => d.code === 'read.failed');
  // A failed read leaves its resources out of the plan: scopes it may touch are unknown, not clean.
  const failedProviders = new Set(failedReads.map((d) => /^reading (\S+)/.exec(d.message)?.[1]).filter((p): p is string => p !== undefined));
  const touchesFailed = (addresses: string[]) => addresses.some((a) => failedProviders.has(a.split('/')[0]!));
  const scope = (name: string, mine: typeof pending, all: string[]): DriftScope => {
    const changes = mine.map((c) => ({ address: c.address, action: c.action }));
    if (changes.length > 0) return { name, state: 'drift', changes };
    if (touchesFailed(all)) return { name, state: 'unknown', changes, reason: `a read of ${[...failedProviders].filter((p) => all.some((a) => a.startsWith(`${p}/`))).join(', ')} failed` };
    return { name, state: 'clean', changes };
  };
  const resources = sources.desired.resources;
  return {
    checkedAt: new Date().toISOString(),
    complete: plan.complete,
    environments: sources.config.environments.map(({ doc }) => {
      const name = doc.metadata.name;
      return scope(name, pending.filter((c) => c.environment === name), resources.filter((r) => r.environment === name).map((r) => r.address));
    }),
    ventures: sources.config.ventures.map(({ doc }) => {
      const name = doc.metadata.name;
      return scope(name, pending.filter((c) => c.venture === name), resources.filter((r) => r.venture === name).map((r) => r.address));
    }),
    problems: plan.diagnostics.map((d) => processRedactor.scrub(d.message)),
  };
}
