/** What every state store backend must do: the same tests for sqlite, postgres and kubernetes. */
import { describe, expect, it } from 'vitest';
import { address } from '../../src/model/address.ts';
import { LockHeldError, type InventoryEntry, type StateStore } from '../../src/model/state.ts';

export interface StoreFactory {
  /** A fresh, empty store; `shared` opens a second handle onto the same data (another process). */
  open(options?: { now?: () => Date }): Promise<{ store: StateStore; shared: (options?: { now?: () => Date }) => Promise<StateStore>; cleanup: () => Promise<void> }>;
}

const entry = (name: string, environment = 'dev', extra: Partial<InventoryEntry> = {}): InventoryEntry => ({
  address: address('mem', environment, 'thing', name), environment, fingerprints: {}, status: 'applied', updatedAt: '2026-11-24T00:00:00.000Z', ...extra,
});

export function stateStoreContract(name: string, factory: StoreFactory): void {
  describe(`state store: ${name}`, () => {
    it('keeps the inventory: put, overwrite, filter by environment, remove', async () => {
      const { store, shared, cleanup } = await factory.open();
      try {
        await store.putInventory([entry('a'), entry('b', 'prod', { protected: true, dependsOn: [address('mem', 'prod', 'thing', 'c')] }), entry('c', 'prod')]);
        await store.putInventory([entry('a', 'dev', { status: 'pending', providerId: 'id-1', fingerprints: { '/token': 'hmac-sha256:abc' }, venture: 'acme' })]);
        const other = await shared();
        expect((await other.listInventory()).map((e) => e.address)).toEqual(['mem/dev/thing/a', 'mem/prod/thing/b', 'mem/prod/thing/c']);
        expect(await other.listInventory('dev')).toEqual([entry('a', 'dev', { status: 'pending', providerId: 'id-1', fingerprints: { '/token': 'hmac-sha256:abc' }, venture: 'acme', dependsOn: [] })]);
        expect((await other.listInventory('prod'))[0]).toMatchObject({ protected: true, dependsOn: ['mem/prod/thing/c'] });
        await other.removeInventory([address('mem', 'prod', 'thing', 'b')]);
        expect((await store.listInventory()).map((e) => e.address)).toEqual(['mem/dev/thing/a', 'mem/prod/thing/c']);
        await other.close();
      } finally {
        await cleanup();
      }
    });

    it('journals in order and filters by run, environment and address', async () => {
      const { store, cleanup } = await factory.open();
      try {
        const base = { planFingerprint: 'f'.repeat(64), actor: 'ci', action: 'create' };
        await store.appendJournal([
          { ...base, runId: 'run-1', address: address('mem', 'dev', 'thing', 'a'), environment: 'dev', outcome: 'started', at: '2026-11-24T10:00:00.000Z' },
          { ...base, runId: 'run-1', address: address('mem', 'dev', 'thing', 'a'), environment: 'dev', outcome: 'succeeded', at: '2026-11-24T10:00:01.000Z', durationMs: 1000 },
        ]);
        await store.appendJournal([{ ...base, runId: 'run-2', address: address('mem', 'prod', 'thing', 'b'), environment: 'prod', outcome: 'failed', message: 'quota exceeded', at: '2026-11-24T11:00:00.000Z', revision: 'abc123' }]);
        expect((await store.readJournal()).map((r) => `${r.runId} ${r.outcome}`)).toEqual(['run-1 started', 'run-1 succeeded', 'run-2 failed']);
        expect((await store.readJournal({ runId: 'run-1' })).map((r) => r.outcome)).toEqual(['started', 'succeeded']);
        expect(await store.readJournal({ environment: 'prod' })).toEqual([{ ...base, runId: 'run-2', address: 'mem/prod/thing/b', environment: 'prod', outcome: 'failed', message: 'quota exceeded', at: '2026-11-24T11:00:00.000Z', revision: 'abc123' }]);
        expect((await store.readJournal({ limit: 1 })).map((r) => r.runId)).toEqual(['run-2']);
        expect((await store.readJournal({ address: address('mem', 'dev', 'thing', 'a') })).at(-1)).toMatchObject({ durationMs: 1000 });
      } finally {
        await cleanup();
      }
    });

    it('prunes whole runs older than the cutoff, keeping each environment\'s latest run', async () => {
      const { store, shared, cleanup } = await factory.open();
      try {
        const base = { planFingerprint: 'f'.repeat(64), actor: 'ci', action: 'update', outcome: 'succeeded' as const };
        const record = (runId: string, environment: string, at: string) => ({ ...base, runId, address: address('mem', environment, 'thing', 'x'), environment, at });
        await store.appendJournal([
          record('old-dev-1', 'dev', '2026-01-01T00:00:00.000Z'), record('old-dev-1', 'dev', '2026-01-01T00:00:05.000Z'),
          record('old-both', 'dev', '2026-02-01T00:00:00.000Z'), record('old-both', 'prod', '2026-02-01T00:00:01.000Z'),
          // The newest dev run is old too, but it is dev's last apply: kept.
          record('last-dev', 'dev', '2026-03-01T00:00:00.000Z'),
          // A run that straddles the cutoff ended after it: kept whole.
          record('straddle', 'prod', '2026-05-31T23:59:00.000Z'), record('straddle', 'prod', '2026-06-01T00:01:00.000Z'),
          record('recent', 'prod', '2026-07-01T00:00:00.000Z'),
        ]);
        const pruned = await store.pruneJournal('2026-06-01T00:00:00.000Z');
        expect(pruned).toEqual({ runs: 2, records: 4 });
        const other = await shared();
        expect([...new Set((await other.readJournal()).map((r) => r.runId))]).toEqual(['last-dev', 'straddle', 'recent']);
        expect(await other.pruneJournal('2026-06-01T00:00:00.000Z')).toEqual({ runs: 0, records: 0 });
        await other.close();
      } finally {
        await cleanup();
      }
    });

    it('locks per environment: contention, renewal, release, expiry and force-unlock', async () => {
      let clock = new Date('2026-11-24T12:00:00.000Z');
      const now = () => clock;
      const { store, shared, cleanup } = await factory.open({ now });
      try {
        const other = await shared({ now });
        const lock = await store.acquireLock('prod', 'alice', 60_000);
        expect(lock).toMatchObject({ environment: 'prod', owner: 'alice', expiresAt: '2026-11-24T12:01:00.000Z' });
        await expect(other.acquireLock('prod', 'bob', 60_000)).rejects.toBeInstanceOf(LockHeldError);
        await expect(other.acquireLock('prod', 'bob', 60_000)).rejects.toThrow(/locked by alice/);
        expect((await other.acquireLock('dev', 'bob', 60_000)).owner).toBe('bob'); // another environment is free
        clock = new Date('2026-11-24T12:00:50.000Z');
        expect((await store.renewLock('prod', 'alice', 60_000)).expiresAt).toBe('2026-11-24T12:01:50.000Z');
        clock = new Date('2026-11-24T12:01:30.000Z');
        await expect(other.acquireLock('prod', 'bob', 60_000)).rejects.toBeInstanceOf(LockHeldError);
        clock = new Date('2026-11-24T12:02:00.000Z'); // alice's lock expired: bob may take it over
        expect((await other.acquireLock('prod', 'bob', 60_000)).owner).toBe('bob');
        await store.releaseLock('prod', 'alice'); // not alice's any more: no effect
        expect((await store.listLocks()).map((l) => `${l.environment}:${l.owner}`)).toEqual(['dev:bob', 'prod:bob']);
        expect((await store.forceUnlock('prod'))?.owner).toBe('bob');
        await other.releaseLock('dev', 'bob');
        expect(await store.listLocks()).toEqual([]);
        await other.close();
      } finally {
        await cleanup();
      }
    });

    it('lets exactly one of two racing writers take a lock', async () => {
      const { store, shared, cleanup } = await factory.open();
      try {
        const handles = [store, await shared(), await shared()];
        const results = await Promise.allSettled(handles.map((h, i) => h.acquireLock('staging', `writer-${i}`, 60_000)));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof LockHeldError)).toBe(true);
        for (const h of handles.slice(1)) await h.close();
      } finally {
        await cleanup();
      }
    });
  });
}
