/**
 * Per environment and per venture: the last apply (from the journal), the lock, what Shipyard
 * owns, and which secrets (baseline Secrets, rotated variables) are due for rotation. Everything here comes from the config
 * and the state store; nothing reads a provider.
 */
import { parseDuration } from '../config/duration.ts';
import type { LoadedConfig } from '../config/load.ts';
import { parseAddress } from '../model/address.ts';
import type { InventoryEntry, JournalRecord, LockInfo } from '../model/state.ts';
import type { DesiredState } from '../providers/desired-state.ts';
import { isProtectedEnvironment } from '../providers/kubernetes/desired.ts';
import { envSlots } from '../providers/vercel/desired.ts';
import { environmentsByTarget } from '../providers/vercel/env-example.ts';
import { DEFAULT_GRACE } from '../secrets/rotation.ts';
import type { EnvironmentOverview, JournalEntry, LastApply, OverviewResponse, PendingRotation, VentureOverview } from './api-types.ts';
import { processRedactor } from '../secrets/redact.ts';

/** Which venture an address belongs to: from the config, then from what Shipyard owns. */
export function ventureIndex(desired: DesiredState, inventory: InventoryEntry[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of inventory) if (entry.venture) out.set(entry.address, entry.venture);
  for (const resource of desired.resources) if (resource.venture) out.set(resource.address, resource.venture);
  return out;
}

export function journalEntry(record: JournalRecord, ventures: Map<string, string>): JournalEntry {
  const venture = ventures.get(record.address);
  return {
    key: `${record.runId}|${record.address}|${record.outcome}|${record.at}`,
    runId: record.runId,
    ...(record.revision ? { revision: record.revision } : {}),
    actor: record.actor,
    address: record.address,
    provider: safeProvider(record.address),
    environment: record.environment,
    ...(venture ? { venture } : {}),
    action: record.action,
    outcome: record.outcome,
    // The applier scrubs messages already; scrub again in case the store was written by an older version.
    ...(record.message ? { message: processRedactor.scrub(record.message) } : {}),
    at: record.at,
    ...(record.durationMs !== undefined ? { durationMs: record.durationMs } : {}),
  };
}

function safeProvider(address: string): string {
  try {
    return parseAddress(address).provider;
  } catch {
    return 'unknown';
  }
}

/** The most recent run among these records, summarised. */
export function lastApply(records: JournalEntry[]): LastApply | undefined {
  const last = records.at(-1);
  if (!last) return undefined;
  const run = records.filter((r) => r.runId === last.runId);
  const finals = new Map<string, string>();
  for (const r of run) finals.set(`${r.address}|${r.action}`, r.outcome);
  const outcomes = [...finals.values()];
  const failed = outcomes.filter((o) => o === 'failed' || o === 'skipped').length;
  const outcome = outcomes.includes('started') ? 'running' : failed > 0 ? 'failed' : 'succeeded';
  return { runId: last.runId, ...(last.revision ? { revision: last.revision } : {}), actor: last.actor, at: last.at, outcome, steps: finals.size, failed };
}

/** Where a rotated secret stands, from when its value was last written (its inventory entry's time). */
function rotationState(secret: string, rotation: { every: string; grace?: string }, entry: InventoryEntry | undefined, now: Date): PendingRotation {
  const every = rotation.every;
  const grace = rotation.grace ?? DEFAULT_GRACE;
  if (!entry) return { secret, every, grace, state: 'never-written' };
  const due = new Date(Date.parse(entry.updatedAt) + parseDuration(every));
  const late = now.getTime() - due.getTime();
  const state = late < 0 ? 'ok' : late <= parseDuration(grace) ? 'due' : 'overdue';
  return { secret, every, grace, state, lastWritten: entry.updatedAt, dueAt: due.toISOString() };
}

export function buildOverview(input: { config: LoadedConfig; inventory: InventoryEntry[]; journal: JournalEntry[]; locks: LockInfo[]; now: Date }): OverviewResponse {
  const { config, inventory, journal, locks, now } = input;
  const byTarget = environmentsByTarget(config.environments.map((e) => e.doc));
  const environments: EnvironmentOverview[] = config.environments.map(({ doc }) => {
    const name = doc.metadata.name;
    const lock = locks.find((l) => l.environment === name);
    const owned = inventory.filter((e) => e.environment === name);
    // An inventory entry is rewritten whenever its value is: its time is the last rotation.
    const baseline = (doc.spec?.secrets ?? []).filter((s) => s.rotation).map((secret) => rotationState(secret.name, secret.rotation!, owned.find((e) => {
      const parts = safeParts(e.address);
      return parts?.provider === 'kubernetes' && parts.kind === 'Secret' && parts.name.join('/') === secret.name;
    }), now));
    const variables = config.ventures.flatMap(({ doc: venture }) => (venture.spec ? envSlots(venture, byTarget) : [])
      .filter((slot) => slot.environment === name && slot.variable.rotation)
      .map((slot) => rotationState(`${venture.metadata.name}/${slot.variable.key} (${slot.target})`, slot.variable.rotation!, owned.find((e) => e.address === slot.address), now)));
    const rotations: PendingRotation[] = [...baseline, ...variables];
    return {
      name,
      ...(doc.metadata.description ? { description: doc.metadata.description } : {}),
      protected: doc.spec ? isProtectedEnvironment(doc) : false,
      ...(doc.spec?.vercelTarget ? { vercelTarget: doc.spec.vercelTarget } : {}),
      lastApply: lastApply(journal.filter((r) => r.environment === name)),
      ...(lock ? { lock: { owner: lock.owner, expiresAt: lock.expiresAt } } : {}),
      rotations,
      ownedResources: owned.length,
    };
  });
  const ventures: VentureOverview[] = config.ventures.map(({ doc }) => {
    const name = doc.metadata.name;
    return {
      name,
      ...(doc.metadata.description ? { description: doc.metadata.description } : {}),
      environments: doc.spec?.environments ?? [],
      lastApply: lastApply(journal.filter((r) => r.venture === name)),
      domains: (doc.spec?.vercel?.domains ?? []).map((d) => d.name),
      ownedResources: inventory.filter((e) => e.venture === name).length,
    };
  });
  return { environments, ventures };
}

function safeParts(address: string) {
  try {
    return parseAddress(address);
  } catch {
    return undefined;
  }
}
