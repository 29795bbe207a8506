/**
 * The provider contract: every provider (the in-memory one here, Kubernetes, Vercel and
 * Supabase in their own suites) must pass these against the real engine and state store.
 */
import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/engine/applier.ts';
import { computePlan, type PlanOptions } from '../../src/engine/planner.ts';
import type { Address } from '../../src/model/address.ts';
import { silentReporter } from '../../src/model/events.ts';
import type { Provider } from '../../src/model/provider.ts';
import type { DesiredResource } from '../../src/model/resource.ts';
import { LockHeldError, type StateStore } from '../../src/model/state.ts';
import { Fingerprinter } from '../../src/secrets/fingerprint.ts';
import { secretsFromMap } from '../../src/secrets/sources.ts';

export interface ContractFixture {
  providers: Provider[];
  store: StateStore;
  environment: string;
  /** Independent resources `first` and `second`, and `dependent`, which consumes an output of `first`. */
  addresses: { first: Address; second: Address; dependent: Address };
  /** The desired set; `variant` changes one declared field of `second`. */
  desired(options?: { variant?: boolean; without?: Address[] }): DesiredResource[];
  /** How many live objects carry this address (a duplicate would make it 2). */
  liveCount(address: Address): Promise<number>;
  /** Creates an object Shipyard does not own, in a scope it reads; returns its address. */
  createUnowned(address?: Address): Promise<Address>;
  /** The next write to this address fails for good. */
  failNextWrite(address: Address): void;
  writeCalls(): number;
  /** Highest number of concurrent writes seen, and the provider's bound. */
  concurrency(): { seen: number; bound: number };
  /** Runs an apply in a child process, resolving after `writes` writes; the test kills it. */
  spawnApply?(writes: number): Promise<{ kill(): void; exited: Promise<number | null> }>;
  cleanup(): Promise<void>;
}

export function providerContract(name: string, setup: () => Promise<ContractFixture>): void {
  const fingerprints = new Fingerprinter('contract-suite-fingerprint-key');
  const secrets = secretsFromMap({});

  async function plan(fx: ContractFixture, desired: DesiredResource[], options: PlanOptions = {}) {
    return computePlan({ desired, providers: fx.providers, store: fx.store, secrets, fingerprints, reporter: silentReporter, options });
  }
  async function converge(fx: ContractFixture, desired: DesiredResource[], options: PlanOptions = {}) {
    const result = await plan(fx, desired, options);
    const outcome = await applyPlan({ ...result, store: fx.store, secrets, fingerprints, reporter: silentReporter, actor: 'contract', retry: { baseDelayMs: 1 } });
    return { plan: result.plan, outcome };
  }
  const actions = (p: { changes: { address: string; action: string }[] }) =>
    Object.fromEntries(p.changes.filter((c) => c.action !== 'noop').map((c) => [c.address, c.action]));

  describe(`provider contract: ${name}`, () => {
    it('creates, then plans 0 changes and writes nothing on a second apply', async () => {
      const fx = await setup();
      try {
        const first = await converge(fx, fx.desired());
        expect(actions(first.plan)).toEqual({ [fx.addresses.first]: 'create', [fx.addresses.second]: 'create', [fx.addresses.dependent]: 'create' });
        expect(first.outcome.status).toBe('done');
        const before = fx.writeCalls();
        const second = await converge(fx, fx.desired());
        expect(second.plan.summary).toMatchObject({ create: 0, update: 0, replace: 0, delete: 0, noop: 3 });
        expect(fx.writeCalls() - before).toBe(0);
      } finally {
        await fx.cleanup();
      }
    });

    it('updates exactly the changed field, then converges', async () => {
      const fx = await setup();
      try {
        await converge(fx, fx.desired());
        const { plan: changed, outcome } = await converge(fx, fx.desired({ variant: true }));
        expect(actions(changed)).toEqual({ [fx.addresses.second]: 'update' });
        expect(changed.changes.find((c) => c.address === fx.addresses.second)!.fields).toHaveLength(1);
        expect(outcome.status).toBe('done');
        expect((await plan(fx, fx.desired({ variant: true }))).plan.summary.update).toBe(0);
      } finally {
        await fx.cleanup();
      }
    });

    it('deletes what it owns and never what it does not', async () => {
      const fx = await setup();
      try {
        await converge(fx, fx.desired());
        const stranger = await fx.createUnowned();
        const { plan: removal, outcome } = await converge(fx, fx.desired({ without: [fx.addresses.dependent] }), { allowDestructive: true });
        expect(actions(removal)).toEqual({ [fx.addresses.dependent]: 'delete' });
        expect(removal.unmanaged.map((u) => u.address)).toContain(stranger);
        expect(outcome.status).toBe('done');
        expect(await fx.liveCount(fx.addresses.dependent)).toBe(0);
        expect(await fx.liveCount(stranger)).toBe(1);
      } finally {
        await fx.cleanup();
      }
    });

    it('refuses to take over an existing resource unless asked to adopt it', async () => {
      const fx = await setup();
      try {
        await fx.createUnowned(fx.addresses.second);
        const refused = await plan(fx, fx.desired());
        expect(refused.plan.diagnostics.map((d) => d.code)).toContain('ownership.conflict');
        const adopted = await converge(fx, fx.desired(), { adopt: [fx.addresses.second] });
        expect(adopted.outcome.status).toBe('done');
        expect(await fx.liveCount(fx.addresses.second)).toBe(1);
        expect((await plan(fx, fx.desired())).plan.summary).toMatchObject({ create: 0, update: 0, delete: 0 });
      } finally {
        await fx.cleanup();
      }
    });

    it('stops the dependents of a failed step, goes on with the rest, and converges on resume', async () => {
      const fx = await setup();
      try {
        fx.failNextWrite(fx.addresses.first);
        const { outcome } = await converge(fx, fx.desired());
        expect(outcome.status).toBe('failed');
        expect(outcome.failed.map((f) => f.address)).toEqual([fx.addresses.first]);
        expect(outcome.skipped).toEqual([{ address: fx.addresses.dependent, because: fx.addresses.first }]);
        expect(outcome.succeeded).toEqual([fx.addresses.second]);
        expect(outcome.resume).toContain('shipyard apply');
        const resumed = await converge(fx, fx.desired());
        expect(actions(resumed.plan)).toEqual({ [fx.addresses.first]: 'create', [fx.addresses.dependent]: 'create' });
        expect(resumed.outcome.status).toBe('done');
        for (const address of Object.values(fx.addresses)) expect(await fx.liveCount(address)).toBe(1);
      } finally {
        await fx.cleanup();
      }
    });

    it('respects the concurrency bound of the provider', async () => {
      const fx = await setup();
      try {
        await converge(fx, fx.desired());
        const { seen, bound } = fx.concurrency();
        expect(seen).toBeGreaterThanOrEqual(1);
        expect(seen).toBeLessThanOrEqual(bound);
      } finally {
        await fx.cleanup();
      }
    });

    it('refuses to apply while another run holds the environment lock', async () => {
      const fx = await setup();
      try {
        await fx.store.acquireLock(fx.environment, 'someone-else', 60_000);
        await expect(converge(fx, fx.desired())).rejects.toBeInstanceOf(LockHeldError);
        expect(fx.writeCalls()).toBe(0);
        await fx.store.forceUnlock(fx.environment);
        expect((await converge(fx, fx.desired())).outcome.status).toBe('done');
      } finally {
        await fx.cleanup();
      }
    });

    it('converges without duplicates after the applying process is killed with SIGKILL', async () => {
      const fx = await setup();
      try {
        expect(fx.spawnApply, 'the fixture must be able to run an apply in a child process').toBeDefined();
        const child = await fx.spawnApply!(1);
        child.kill();
        expect(await child.exited).toBeNull(); // killed by the signal, not exited
        await fx.store.forceUnlock(fx.environment); // the operator's `state unlock` after a dead run
        const { outcome } = await converge(fx, fx.desired());
        expect(outcome.status).toBe('done');
        for (const address of Object.values(fx.addresses)) expect(await fx.liveCount(address)).toBe(1);
        expect((await plan(fx, fx.desired())).plan.summary).toMatchObject({ create: 0, update: 0, delete: 0, noop: 3 });
      } finally {
        await fx.cleanup();
      }
    });
  });
}
