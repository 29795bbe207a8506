import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KubeClient } from '../../src/providers/kubernetes/client.ts';
import { openKubernetesStore } from '../../src/providers/kubernetes/state-store.ts';
import { openPostgresStore } from '../../src/state/postgres.ts';
import { openSqliteStore } from '../../src/state/sqlite.ts';
import { createDatabase } from '../harness/postgres.ts';
import { requireKube, requirePostgres } from '../harness/services.ts';
import { stateStoreContract } from './state-store-contract.ts';

stateStoreContract('sqlite', {
  async open(options) {
    const dir = mkdtempSync(path.join(tmpdir(), 'shipyard-state-'));
    const file = path.join(dir, 'state.db');
    const store = await openSqliteStore(file, options);
    return { store, shared: (o) => openSqliteStore(file, o ?? options), cleanup: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
  },
});

stateStoreContract('kubernetes (ConfigMaps and Leases on the real apiserver)', {
  async open(options) {
    const kube = requireKube();
    const namespace = `state-${Math.random().toString(36).slice(2, 8)}`;
    const client = () => new KubeClient({ server: kube.server, token: kube.tokens.admin, caData: kube.caData });
    const store = await openKubernetesStore(client(), { namespace, ...options });
    return {
      store,
      shared: (o) => openKubernetesStore(client(), { namespace, ...(o ?? options) }),
      cleanup: async () => {
        await client().delete({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
      },
    };
  },
});

stateStoreContract('postgres (real PostgreSQL 15)', {
  async open(options) {
    const url = await createDatabase(requirePostgres(), `state_${Math.random().toString(36).slice(2, 8)}`);
    const store = await openPostgresStore(url, options);
    const others: { close(): Promise<void> }[] = [];
    return {
      store,
      shared: async (o) => {
        const other = await openPostgresStore(url, o ?? options);
        others.push(other);
        return other;
      },
      cleanup: async () => {
        await store.close();
        for (const other of others) await other.close().catch(() => undefined);
      },
    };
  },
});
