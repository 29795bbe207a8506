/**
 * The `kubernetes` state backend: the inventory and the journal in ConfigMaps, the
 * per-environment lock as a coordination.k8s.io Lease, all in one namespace of the cluster.
 * Writes use resourceVersion (optimistic concurrency), so two appliers never lose an update.
 * The namespace is Shipyard's own (`shipyard-state` by default), not an environment's: the
 * store must exist before the first plan, and an environment namespace created for it would
 * look like a resource nobody owns.
 */
import { createHash } from 'node:crypto';
import type { Address } from '../../model/address.ts';
import { runsToPrune } from '../../state/retention.ts';
import { LockHeldError, type InventoryEntry, type JournalQuery, type JournalRecord, type LockInfo, type StateStore } from '../../model/state.ts';
import { KubeApiError, type KubeClient, type KubeObject } from './client.ts';

const BUCKETS = 16;
const JOURNAL_CHUNK = 200;
const LABEL = 'shipyard.dev/state';

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

interface Lease extends KubeObject {
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string };
}

export async function openKubernetesStore(client: KubeClient, options: { namespace?: string; now?: () => Date } = {}): Promise<StateStore> {
  const namespace = options.namespace ?? 'shipyard-state';
  const now = options.now ?? (() => new Date());
  await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { [LABEL]: 'namespace', 'app.kubernetes.io/managed-by': 'shipyard-state' } } });

  const configMap = (name: string, data: Record<string, string>, labels: Record<string, string>, resourceVersion?: string): ConfigMap => ({
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels: { [LABEL]: labels.kind!, ...labels }, ...(resourceVersion ? { resourceVersion } : {}) }, data,
  });

  // One writer per ConfigMap inside this process (an apply writes many entries at once); other
  // processes are handled by resourceVersion conflicts, retried with jittered backoff.
  const queues = new Map<string, Promise<void>>();
  function update(name: string, labels: Record<string, string>, change: (data: Record<string, string>) => Record<string, string>): Promise<void> {
    const previous = queues.get(name) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => updateNow(name, labels, change));
    queues.set(name, next);
    return next;
  }

  /** Read-modify-write of one ConfigMap, retried when another writer got there first. */
  async function updateNow(name: string, labels: Record<string, string>, change: (data: Record<string, string>) => Record<string, string>): Promise<void> {
    for (let attempt = 0; attempt < 30; attempt++) {
      const current = (await client.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace } })) as ConfigMap | undefined;
      const next = change({ ...(current?.data ?? {}) });
      try {
        if (current) await client.write('PUT', configMap(name, next, labels, current.metadata?.resourceVersion as string));
        else await client.write('POST', configMap(name, next, labels));
        return;
      } catch (error) {
        if (!(error instanceof KubeApiError && (error.status === 409 || error.status === 422))) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 10 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random())));
      }
    }
    throw new Error(`state store: ConfigMap ${namespace}/${name} kept changing under us; try again`);
  }

  const bucketOf = (address: string) => createHash('sha256').update(address).digest()[0]! % BUCKETS;
  const inventoryName = (bucket: number) => `shipyard-inventory-${bucket}`;

  async function readInventory(): Promise<InventoryEntry[]> {
    const maps = (await client.list('v1', 'ConfigMap', namespace, { labelSelector: `${LABEL}=inventory` })) as ConfigMap[];
    return maps.flatMap((m) => Object.values(JSON.parse(m.data?.['inventory.json'] ?? '{}') as Record<string, InventoryEntry>));
  }

  async function changeInventory(addresses: string[], change: (entries: Record<string, InventoryEntry>, inBucket: string[]) => void): Promise<void> {
    const byBucket = new Map<number, string[]>();
    for (const address of addresses) byBucket.set(bucketOf(address), [...(byBucket.get(bucketOf(address)) ?? []), address]);
    for (const [bucket, inBucket] of byBucket) {
      await update(inventoryName(bucket), { kind: 'inventory' }, (data) => {
        const entries = JSON.parse(data['inventory.json'] ?? '{}') as Record<string, InventoryEntry>;
        change(entries, inBucket);
        return { 'inventory.json': JSON.stringify(entries) };
      });
    }
  }

  const leaseName = (environment: string) => `shipyard-lock-${environment}`;
  const toLock = (lease: Lease): LockInfo => {
    const renewed = new Date(lease.spec?.renewTime ?? lease.spec?.acquireTime ?? 0).getTime();
    return {
      environment: lease.metadata?.labels?.['shipyard.dev/environment'] ?? '',
      owner: lease.spec?.holderIdentity ?? '',
      acquiredAt: lease.spec?.acquireTime ?? '',
      expiresAt: new Date(renewed + (lease.spec?.leaseDurationSeconds ?? 0) * 1000).toISOString(),
    };
  };
  const lease = (environment: string, owner: string, ttlMs: number, acquireTime: string, resourceVersion?: string): Lease => ({
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
    metadata: { name: leaseName(environment), namespace, labels: { [LABEL]: 'lock', 'shipyard.dev/environment': environment }, ...(resourceVersion ? { resourceVersion } : {}) },
    // MicroTime: RFC 3339 with microseconds.
    spec: { holderIdentity: owner, leaseDurationSeconds: Math.max(1, Math.ceil(ttlMs / 1000)), acquireTime, renewTime: micro(now()) },
  });
  const micro = (date: Date) => date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
  const readLease = async (environment: string) => (await client.read({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: leaseName(environment), namespace } })) as Lease | undefined;

  const store: StateStore = {
    name: `kubernetes:${namespace}`,
    async listInventory(environment) {
      const entries = await readInventory();
      return entries.filter((e) => !environment || e.environment === environment).sort((a, b) => a.address.localeCompare(b.address));
    },
    async putInventory(entries) {
      const byAddress = new Map(entries.map((e) => [e.address, e]));
      await changeInventory([...byAddress.keys()], (all, inBucket) => {
        for (const address of inBucket) {
          const e = byAddress.get(address as Address)!;
          all[address] = { ...e, dependsOn: e.dependsOn ?? [] };
        }
      });
    },
    async removeInventory(addresses) {
      await changeInventory(addresses, (all, inBucket) => {
        for (const address of inBucket) delete all[address];
      });
    },
    async appendJournal(records) {
      for (const record of records) {
        const existing = ((await client.list('v1', 'ConfigMap', namespace, { labelSelector: `${LABEL}=journal,shipyard.dev/run=${record.runId}` })) as ConfigMap[]);
        const sizes = existing.map((m) => ({ seq: Number(m.metadata?.labels?.['shipyard.dev/seq'] ?? 0), count: (m.data?.['records.jsonl'] ?? '').split('\n').filter(Boolean).length }));
        const last = sizes.sort((a, b) => b.seq - a.seq)[0];
        const seq = !last ? 0 : last.count >= JOURNAL_CHUNK ? last.seq + 1 : last.seq;
        await update(`shipyard-journal-${record.runId}-${seq}`, { kind: 'journal', 'shipyard.dev/run': record.runId, 'shipyard.dev/seq': String(seq) }, (data) => ({
          'records.jsonl': `${data['records.jsonl'] ?? ''}${JSON.stringify(record)}\n`,
        }));
      }
    },
    async readJournal(query: JournalQuery = {}) {
      const selector = `${LABEL}=journal${query.runId ? `,shipyard.dev/run=${query.runId}` : ''}`;
      const maps = (await client.list('v1', 'ConfigMap', namespace, { labelSelector: selector })) as ConfigMap[];
      const records = maps
        .flatMap((m) => (m.data?.['records.jsonl'] ?? '').split('\n').filter(Boolean).map((line, index) => ({ record: JSON.parse(line) as JournalRecord, order: [Number(m.metadata?.labels?.['shipyard.dev/seq'] ?? 0), index] as const })))
        .filter(({ record }) => (!query.environment || record.environment === query.environment) && (!query.address || record.address === query.address))
        .sort((a, b) => a.record.at.localeCompare(b.record.at) || a.order[0] - b.order[0] || a.order[1] - b.order[1])
        .map(({ record }) => record);
      return records.slice(-(query.limit ?? 10_000));
    },
    async pruneJournal(cutoff) {
      const maps = ((await client.list('v1', 'ConfigMap', namespace, { labelSelector: `${LABEL}=journal` })) as ConfigMap[])
        .map((map) => ({ map, records: (map.data?.['records.jsonl'] ?? '').split('\n').filter(Boolean).map((line) => JSON.parse(line) as JournalRecord) }));
      const runs = new Set(runsToPrune(maps.flatMap((m) => m.records.map((r) => ({ runId: r.runId, environment: r.environment, last: r.at }))), cutoff));
      let records = 0;
      for (const { map, records: inMap } of maps.filter((m) => runs.has(m.map.metadata?.labels?.['shipyard.dev/run'] ?? ''))) {
        records += inMap.length;
        await client.delete(map);
      }
      return { runs: runs.size, records };
    },
    async acquireLock(environment, owner, ttlMs) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const current = await readLease(environment);
        const at = now();
        if (current) {
          const info = toLock(current);
          if (info.owner !== owner && new Date(info.expiresAt).getTime() > at.getTime()) throw new LockHeldError({ ...info, environment });
        }
        try {
          const written = current
            ? await client.write('PUT', lease(environment, owner, ttlMs, micro(at), current.metadata?.resourceVersion as string))
            : await client.write('POST', lease(environment, owner, ttlMs, micro(at)));
          return { ...toLock(written as Lease), environment };
        } catch (error) {
          if (error instanceof KubeApiError && error.status === 409) continue; // someone else wrote it: look again
          throw error;
        }
      }
      const holder = await readLease(environment);
      throw new LockHeldError({ ...(holder ? toLock(holder) : { owner: 'unknown', acquiredAt: '', expiresAt: '' }), environment });
    },
    async renewLock(environment, owner, ttlMs) {
      const current = await readLease(environment);
      if (!current || current.spec?.holderIdentity !== owner) return store.acquireLock(environment, owner, ttlMs);
      const written = await client.write('PUT', lease(environment, owner, ttlMs, current.spec.acquireTime ?? micro(now()), current.metadata?.resourceVersion as string));
      return { ...toLock(written as Lease), environment };
    },
    async releaseLock(environment, owner) {
      const current = await readLease(environment);
      if (current?.spec?.holderIdentity === owner) await client.delete(current, { resourceVersion: current.metadata?.resourceVersion as string });
    },
    async forceUnlock(environment) {
      const current = await readLease(environment);
      if (!current) return undefined;
      await client.delete(current);
      return { ...toLock(current), environment };
    },
    async listLocks() {
      const leases = (await client.list('coordination.k8s.io/v1', 'Lease', namespace, { labelSelector: `${LABEL}=lock` })) as Lease[];
      return leases.map((l) => ({ ...toLock(l), environment: l.metadata?.labels?.['shipyard.dev/environment'] ?? '' })).sort((a, b) => a.environment.localeCompare(b.environment));
    },
    async close() {},
  };
  return store;
}
