/**
 * The applier executes exactly the changes of a plan: it takes the environment locks,
 * journals each step before and after, claims ownership before a create (so a crash cannot
 * orphan a resource), retries transient errors, and stops only the dependents of a failure.
 * Re-running after any failure converges: the next plan sees what was done.
 */
import { randomUUID } from 'node:crypto';
import { parseAddress, type Address } from '../model/address.ts';
import type { Reporter } from '../model/events.ts';
import type { Change, Plan } from '../model/plan.ts';
import { TransientError, type ApplyOperation, type ApplyResult, type Provider } from '../model/provider.ts';
import type { Sensitive } from '../model/sensitive.ts';
import type { InventoryEntry, JournalRecord, StateStore } from '../model/state.ts';
import type { Fingerprinter } from '../secrets/fingerprint.ts';
import { processRedactor } from '../secrets/redact.ts';
import { Semaphore, sleep } from './concurrency.ts';
import { withEnvironmentLocks } from './locks.ts';
import type { PlanContext } from './planner.ts';
import { resolveForApply, type SecretSource } from './resolve.ts';

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface ApplyInput {
  plan: Plan;
  context: PlanContext;
  store: StateStore;
  secrets: SecretSource;
  fingerprints: Fingerprinter;
  reporter: Reporter;
  actor: string;
  lockTtlMs?: number;
  /** The caller already holds the environment locks (it planned under them). */
  alreadyLocked?: boolean;
  lockOwner?: string;
  retry?: Partial<RetryPolicy>;
}

export type StepStatus = 'succeeded' | 'failed' | 'skipped';

export interface ApplyOutcome {
  runId: string;
  status: 'done' | 'failed' | 'nothing-to-do';
  succeeded: Address[];
  failed: { address: Address; error: string }[];
  skipped: { address: Address; because: Address }[];
  /** One line that says how to continue. */
  resume: string;
  writeCalls: number;
}

export class ApplyRefusedError extends Error {}

export async function applyPlan(input: ApplyInput): Promise<ApplyOutcome> {
  const { plan, context, store, reporter } = input;
  const blocking = plan.diagnostics.filter((d) => d.severity === 'error');
  if (blocking.length > 0) {
    throw new ApplyRefusedError(`the plan has ${blocking.length} error(s); the first: ${blocking[0]!.message}. ${blocking[0]!.hint}`);
  }
  const runId = randomUUID();
  const retry: RetryPolicy = { attempts: 5, baseDelayMs: 200, maxDelayMs: 30_000, ...input.retry };
  const steps = plan.changes.filter((c) => c.action !== 'noop');
  const pendingNoops = plan.changes.filter((c) => c.action === 'noop' && context.inventory.get(c.address)?.status === 'pending');
  const outcome: ApplyOutcome = { runId, status: 'nothing-to-do', succeeded: [], failed: [], skipped: [], resume: '', writeCalls: 0 };
  // Fingerprints re-stamped with a new fingerprint key (planner): stored even when nothing else changes.
  const rekeyedNoops = context.rekeyed.filter((a) => !steps.some((c) => c.address === a)).map((a) => context.inventory.get(a)!);
  if (steps.length === 0 && pendingNoops.length === 0 && context.vanished.length === 0 && rekeyedNoops.length === 0) {
    outcome.resume = 'Nothing to do: live state matches the config.';
    return outcome;
  }

  const environments = [...new Set([...steps, ...pendingNoops, ...rekeyedNoops].map((c) => c.environment).concat(context.vanished.map((a) => context.inventory.get(a)!.environment)))].sort();
  const owner = input.lockOwner ?? `${input.actor} (run ${runId})`;
  const locking = input.alreadyLocked ? <T>(work: () => Promise<T>) => work() : <T>(work: () => Promise<T>) => withEnvironmentLocks(store, environments, owner, { ttlMs: input.lockTtlMs, reporter }, work);

  const journal = (change: Pick<Change, 'address' | 'environment' | 'action'>, outcomeName: JournalRecord['outcome'], extra: Partial<JournalRecord> = {}) =>
    store.appendJournal([{ runId, planFingerprint: plan.fingerprint, revision: plan.revision, actor: input.actor, address: change.address, environment: change.environment, action: change.action, outcome: outcomeName, at: new Date().toISOString(), ...extra }]);

  await locking(async () => {
    // Bookkeeping first: creates that finished before a crash, and owned resources that are gone.
    if (pendingNoops.length > 0) {
      await store.putInventory(pendingNoops.map((c) => ({ ...context.inventory.get(c.address)!, status: 'applied', updatedAt: new Date().toISOString() })));
    }
    if (context.vanished.length > 0) await store.removeInventory(context.vanished);
    if (rekeyedNoops.length > 0) await store.putInventory(rekeyedNoops.map((entry) => ({ ...entry, updatedAt: new Date().toISOString() })));

    const runOutputs = new Map<string, string | Sensitive<string>>();
    const outputs = (address: Address, name: string) => runOutputs.get(`${address}#${name}`) ?? context.observed.get(address)?.outputs?.[name];
    const semaphores = new Map<string, Semaphore>();
    const semaphoreFor = (provider: Provider) => {
      if (!semaphores.has(provider.name)) semaphores.set(provider.name, new Semaphore(provider.concurrency));
      return semaphores.get(provider.name)!;
    };

    const byAddress = new Map(steps.map((c) => [c.address, c]));
    // Deletes wait for the deletes of what depends on them; everything else waits for what it depends on.
    const dependentsOf = new Map<Address, Address[]>();
    for (const change of steps) for (const dep of change.dependsOn) dependentsOf.set(dep, [...(dependentsOf.get(dep) ?? []), change.address]);
    const waitsFor = (change: Change): Address[] =>
      change.action === 'delete'
        ? (dependentsOf.get(change.address) ?? []).filter((a) => byAddress.get(a)?.action === 'delete')
        : change.dependsOn.filter((a) => byAddress.has(a) && byAddress.get(a)!.action !== 'delete');

    const results = new Map<Address, Promise<StepStatus>>();
    const runStep = (change: Change): Promise<StepStatus> => {
      const existing = results.get(change.address);
      if (existing) return existing;
      const promise = (async (): Promise<StepStatus> => {
        const deps = waitsFor(change);
        const statuses = await Promise.all(deps.map((a) => runStep(byAddress.get(a)!)));
        const blockedBy = deps.find((_, i) => statuses[i] !== 'succeeded');
        if (blockedBy) {
          outcome.skipped.push({ address: change.address, because: blockedBy });
          reporter.emit({ type: 'step.skipped', address: change.address, action: change.action, because: blockedBy });
          await journal(change, 'skipped', { message: `skipped because ${blockedBy} did not succeed` });
          return 'skipped';
        }
        const { provider, kind } = context.kinds.get(`${change.provider}/${change.kind}`)!;
        return semaphoreFor(provider).run(async () => {
          const started = Date.now();
          reporter.emit({ type: 'step.started', address: change.address, action: change.action });
          await journal(change, 'started');
          try {
            await executeStep(change, {
              input, context, outputs, retry, kindApply: (op) => {
                outcome.writeCalls++;
                return kind.apply(op);
              },
              onOutputs: (result) => {
                for (const [name, value] of Object.entries(result.outputs ?? {})) runOutputs.set(`${change.address}#${name}`, value);
              },
            });
            const durationMs = Date.now() - started;
            outcome.succeeded.push(change.address);
            reporter.emit({ type: 'step.succeeded', address: change.address, action: change.action, durationMs });
            await journal(change, 'succeeded', { durationMs });
            return 'succeeded';
          } catch (error) {
            const message = processRedactor.scrub(error instanceof Error ? error.message : String(error));
            outcome.failed.push({ address: change.address, error: message });
            reporter.emit({ type: 'step.failed', address: change.address, action: change.action, error: message });
            await journal(change, 'failed', { message, durationMs: Date.now() - started });
            return 'failed';
          }
        });
      })();
      results.set(change.address, promise);
      return promise;
    };
    await Promise.all(steps.map(runStep));
  });

  outcome.succeeded.sort();
  outcome.failed.sort((a, b) => a.address.localeCompare(b.address));
  outcome.skipped.sort((a, b) => a.address.localeCompare(b.address));
  outcome.status = outcome.failed.length > 0 ? 'failed' : 'done';
  outcome.resume =
    outcome.status === 'failed'
      ? `${outcome.failed.length} step(s) failed and ${outcome.skipped.length} were skipped. Fix the cause, then run \`shipyard apply\` again: it plans from live state and converges (run ${runId} in \`shipyard state show\`).`
      : `Applied ${outcome.succeeded.length} change(s).${rekeyedNoops.length > 0 ? ` Stored ${rekeyedNoops.length} resource(s)' secret fingerprints under the new fingerprint key.` : ''}`;
  return outcome;
}

interface StepContext {
  input: ApplyInput;
  context: PlanContext;
  outputs: (address: Address, name: string) => string | Sensitive<string> | undefined;
  retry: RetryPolicy;
  kindApply: (op: ApplyOperation) => Promise<ApplyResult>;
  onOutputs: (result: ApplyResult) => void;
}

async function executeStep(change: Change, step: StepContext): Promise<void> {
  const { input, context } = step;
  const store = input.store;
  const address = change.address;
  const scope = parseAddress(address).scope;
  const observed = context.observed.get(address);
  const owned = context.inventory.get(address);
  const now = () => new Date().toISOString();

  if (change.action === 'delete' || change.action === 'replace') {
    await withRetries(address, step, () => step.kindApply({ action: 'delete', address, scope, observed }));
    if (change.action === 'delete') {
      await store.removeInventory([address]);
      return;
    }
  }
  const desired = context.desired.get(address)!;
  const creating = change.action === 'create' || change.action === 'replace';
  // Anything created anew (a replace, or an owned resource that vanished) gets freshly generated secrets.
  const stored = creating ? {} : (owned?.fingerprints ?? {});
  const { spec, fingerprints } = resolveForApply(desired.spec, { secrets: input.secrets, fingerprints: input.fingerprints, outputs: step.outputs, stored, address });
  const entry: InventoryEntry = {
    address,
    environment: desired.environment,
    ...(desired.venture ? { venture: desired.venture } : {}),
    ...(owned?.providerId ? { providerId: owned.providerId } : {}),
    ...(desired.protected ? { protected: true } : {}),
    dependsOn: [...desired.dependsOn].sort(),
    fingerprints: owned?.fingerprints ?? {},
    status: 'pending',
    updatedAt: now(),
  };
  if (creating) await store.putInventory([entry]); // claim before the write: a crash after it leaves an owned resource, never an orphan
  const result = await withRetries(address, step, () =>
    step.kindApply({ action: creating ? 'create' : 'update', address, scope, spec, observed: creating ? undefined : observed }),
  );
  step.onOutputs(result);
  await store.putInventory([{ ...entry, ...(result.id ? { providerId: result.id } : {}), fingerprints, status: 'applied', updatedAt: now() }]);
}

async function withRetries(address: Address, step: StepContext, call: () => Promise<ApplyResult>): Promise<ApplyResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof TransientError) || attempt >= step.retry.attempts) throw error;
      const backoff = Math.min(step.retry.maxDelayMs, step.retry.baseDelayMs * 2 ** (attempt - 1));
      const delayMs = Math.min(step.retry.maxDelayMs, error.retryAfterMs ?? backoff + Math.random() * backoff * 0.2);
      step.input.reporter.emit({ type: 'step.retrying', address, attempt, delayMs: Math.round(delayMs), error: processRedactor.scrub(error.message) });
      await sleep(delayMs);
    }
  }
}
