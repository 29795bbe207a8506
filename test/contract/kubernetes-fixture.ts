/** The Kubernetes provider's contract fixture on the real apiserver; also used by its SIGKILL child. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { address, type Address } from '../../src/model/address.ts';
import type { Provider, ResourceKind } from '../../src/model/provider.ts';
import type { DesiredResource } from '../../src/model/resource.ts';
import { createKubernetesProvider } from '../../src/providers/kubernetes/provider.ts';
import { openSqliteStore } from '../../src/state/sqlite.ts';
import { kubeRequest, type KubeConnection } from '../harness/kube.ts';
import { spawnWritingChild } from './child-apply.ts';
import type { ContractFixture } from './provider-contract.ts';

export function contractAddresses(ns: string) {
  return {
    first: address('kubernetes', ns, 'Namespace', ns),
    second: address('kubernetes', `${ns}-b`, 'Namespace', `${ns}-b`),
    dependent: address('kubernetes', ns, 'NetworkPolicy', 'default-deny'),
  };
}

export function contractDesired(ns: string, options: { variant?: boolean; without?: Address[] } = {}): DesiredResource[] {
  const a = contractAddresses(ns);
  const all: DesiredResource[] = [
    { address: a.first, provider: 'kubernetes', kind: 'Namespace', scope: ns, environment: ns, spec: { metadata: { labels: { team: 'a' } } }, dependsOn: [] },
    { address: a.second, provider: 'kubernetes', kind: 'Namespace', scope: `${ns}-b`, environment: ns, spec: { metadata: { labels: { team: options.variant ? 'c' : 'b' } } }, dependsOn: [] },
    { address: a.dependent, provider: 'kubernetes', kind: 'NetworkPolicy', scope: ns, environment: ns, spec: { spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } }, dependsOn: [a.first] },
  ];
  return all.filter((r) => !options.without?.includes(r.address));
}

/** The real provider with hooks around its writes: a fault for one address, a write delay, a counter of writes in flight. */
export function instrumented(kube: KubeConnection, hooks: { delayMs?: number; onWrite?: () => void } = {}) {
  const provider = createKubernetesProvider({ server: kube.server, token: kube.tokens.admin, caData: kube.caData }, { concurrency: 2 });
  const failing = new Set<string>();
  let inFlight = 0;
  let maxInFlight = 0;
  let writes = 0;
  const kinds: ResourceKind[] = provider.kinds.map((kind) => ({
    ...kind,
    apply: async (op) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        if (hooks.delayMs) await new Promise((r) => setTimeout(r, hooks.delayMs));
        if (failing.delete(op.address)) throw new Error(`${op.address}: permanent failure (injected)`);
        const result = await kind.apply(op);
        writes++;
        hooks.onWrite?.();
        return result;
      } finally {
        inFlight--;
      }
    },
  }));
  const wrapped: Provider = { ...provider, kinds };
  return { provider: wrapped, failing, stats: () => ({ maxInFlight, writes, bound: provider.concurrency }) };
}

export async function kubernetesFixture(kube: KubeConnection): Promise<ContractFixture> {
  const ns = `contract-${Math.random().toString(36).slice(2, 8)}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'shipyard-k8s-contract-'));
  const stateFile = path.join(dir, 'state.db');
  const store = await openSqliteStore(stateFile);
  const tools = instrumented(kube);
  const addresses = contractAddresses(ns);
  const pathOf = (a: Address) => {
    const [, scope, kind, name] = a.split('/');
    return kind === 'Namespace' ? `/api/v1/namespaces/${name}` : `/apis/networking.k8s.io/v1/namespaces/${scope}/networkpolicies/${name}`;
  };
  return {
    providers: [tools.provider],
    store,
    environment: ns,
    addresses,
    desired: (options) => contractDesired(ns, options),
    async liveCount(a) {
      const response = await kubeRequest(kube, 'admin', 'GET', pathOf(a));
      if (response.status === 404) return 0;
      return response.json<{ metadata: { deletionTimestamp?: string } }>().metadata.deletionTimestamp ? 0 : 1;
    },
    async createUnowned(a = address('kubernetes', ns, 'NetworkPolicy', 'stranger')) {
      const [, scope, kind, name] = a.split('/');
      const made = kind === 'Namespace'
        ? await kubeRequest(kube, 'admin', 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } })
        : await kubeRequest(kube, 'admin', 'POST', `/apis/networking.k8s.io/v1/namespaces/${scope}/networkpolicies`, { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name }, spec: { podSelector: {} } });
      if (made.status !== 201) throw new Error(`could not create ${a}: ${made.status} ${made.body}`);
      return a;
    },
    failNextWrite: (a) => tools.failing.add(a),
    writeCalls: () => tools.stats().writes,
    concurrency: () => ({ seen: tools.stats().maxInFlight, bound: tools.stats().bound }),
    spawnApply: (writes) => spawnWritingChild(new URL('./kubernetes-child.ts', import.meta.url).pathname, [JSON.stringify(kube), ns, stateFile], writes),
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
      for (const name of [ns, `${ns}-b`]) await kubeRequest(kube, 'admin', 'DELETE', `/api/v1/namespaces/${name}`);
    },
  };
}
