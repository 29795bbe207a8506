/**
 * The NetworkPolicy evaluator on a table of cases: the examples of the Kubernetes
 * NetworkPolicy documentation, and the policies Shipyard generates for this repository.
 */
import { describe, expect, it } from 'vitest';
import { loadConfigFiles, readConfigFiles, type ConfigFile } from '../../src/config/load.ts';
import { compileDesiredState } from '../../src/providers/desired-state.ts';
import { evaluate, inCidr, parseEndpoint, type Cluster, type NetworkPolicy } from '../../src/providers/kubernetes/netpol.ts';
import { withEdit } from '../config/fixtures.ts';

const repoRoot = new URL('../../', import.meta.url).pathname;

/** The policies the config compiles to, as the apiserver stores them. */
function clusterFrom(files: ConfigFile[]): Cluster {
  const config = loadConfigFiles(repoRoot, files);
  expect(config.diagnostics).toEqual([]);
  const resources = compileDesiredState(config).resources;
  const policies = resources
    .filter((r) => r.kind === 'NetworkPolicy')
    .map((r) => ({ metadata: { name: r.address.split('/').at(-1)!, namespace: r.scope }, spec: (r.spec as unknown as { spec: NetworkPolicy["spec"] }).spec }));
  const namespaces = Object.fromEntries(resources.filter((r) => r.kind === 'Namespace').map((r) => [r.scope, (r.spec as unknown as { metadata: { labels: Record<string, string> } }).metadata.labels]));
  return { policies, namespaces: { ...namespaces, 'kube-system': {}, myproject: { project: 'myproject' }, other: {} } };
}

// The example of https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource
const docsExample: NetworkPolicy = {
  metadata: { name: 'test-network-policy', namespace: 'default' },
  spec: {
    podSelector: { matchLabels: { role: 'db' } },
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{ from: [{ ipBlock: { cidr: '172.17.0.0/16', except: ['172.17.1.0/24'] } }, { namespaceSelector: { matchLabels: { project: 'myproject' } } }, { podSelector: { matchLabels: { role: 'frontend' } } }], ports: [{ protocol: 'TCP', port: 6379 }] }],
    egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ protocol: 'TCP', port: 5978 }] }],
  },
};
const docs = (...extra: NetworkPolicy[]): Cluster => ({ policies: [docsExample, ...extra], namespaces: { default: { project: 'default' }, myproject: { project: 'myproject' }, other: { user: 'alice' } } });
const policy = (name: string, spec: NetworkPolicy['spec'], namespace = 'default'): NetworkPolicy => ({ metadata: { name, namespace }, spec });

type Case = [name: string, cluster: () => Cluster, from: string, to: string, port: number, protocol: string, allowed: boolean, decidedBy?: string[]];
const repo = async () => clusterFrom((await readConfigFiles(repoRoot)).filter((f) => f.path.startsWith('environments/')));
let repoCluster: Cluster;

const docsCases: Case[] = [
  ['docs: frontend pod in the same namespace may reach db on 6379', () => docs(), 'default/role=frontend', 'default/role=db', 6379, 'TCP', true, ['default/test-network-policy']],
  ['docs: frontend may not reach db on another port', () => docs(), 'default/role=frontend', 'default/role=db', 5432, 'TCP', false, ['default/test-network-policy']],
  ['docs: UDP on the allowed port number is denied', () => docs(), 'default/role=frontend', 'default/role=db', 6379, 'UDP', false],
  ['docs: any pod of a namespace labelled project=myproject may reach db', () => docs(), 'myproject/app=anything', 'default/role=db', 6379, 'TCP', true],
  ['docs: a pod without role=frontend in the same namespace is denied', () => docs(), 'default/role=backend', 'default/role=db', 6379, 'TCP', false],
  ['docs: role=frontend in another namespace is denied (podSelector alone means the policy namespace)', () => docs(), 'other/role=frontend', 'default/role=db', 6379, 'TCP', false],
  ['docs: an address inside the ipBlock may reach db', () => docs(), '172.17.0.5', 'default/role=db', 6379, 'TCP', true],
  ['docs: an address in the except range is denied', () => docs(), '172.17.1.9', 'default/role=db', 6379, 'TCP', false],
  ['docs: db may reach 10.0.0.0/24 on 5978', () => docs(), 'default/role=db', '10.0.0.7', 5978, 'TCP', true],
  ['docs: db may not reach 10.0.1.7 (outside the egress ipBlock)', () => docs(), 'default/role=db', '10.0.1.7', 5978, 'TCP', false],
  ['docs: db egress to another pod is denied (egress is isolated)', () => docs(), 'default/role=db', 'default/role=frontend', 80, 'TCP', false],
  ['docs: pods the policy does not select are not isolated', () => docs(), 'other/x=y', 'default/role=web', 80, 'TCP', true],
  ['docs: default deny all ingress', () => docs(policy('default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] })), 'default/role=frontend', 'default/role=web', 80, 'TCP', false, ['default/default-deny-ingress']],
  ['docs: allow all ingress overrides a default deny', () => docs(policy('default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] }), policy('allow-all-ingress', { podSelector: {}, ingress: [{}] })), 'other/x=y', 'default/role=web', 80, 'TCP', true, ['default/allow-all-ingress']],
  ['docs: default deny all egress', () => docs(policy('default-deny-egress', { podSelector: {}, policyTypes: ['Egress'] })), 'default/role=web', 'other/x=y', 80, 'TCP', false],
  ['docs: allow all egress', () => docs(policy('default-deny-egress', { podSelector: {}, policyTypes: ['Egress'] }), policy('allow-all-egress', { podSelector: {}, egress: [{}] })), 'default/role=web', 'other/x=y', 80, 'TCP', true],
  ['docs: policyTypes defaults to Ingress only when there are no egress rules', () => docs(policy('ingress-only', { podSelector: {}, ingress: [] })), 'default/role=web', 'other/x=y', 80, 'TCP', true],
  ['docs: endPort allows the whole range', () => docs(policy('multi-port-egress', { podSelector: { matchLabels: { role: 'db' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ protocol: 'TCP', port: 32000, endPort: 32768 }] }] })), 'default/role=db', '10.0.0.3', 32500, 'TCP', true],
  ['docs: endPort range excludes ports above it', () => docs(policy('multi-port-egress', { podSelector: { matchLabels: { role: 'db' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ protocol: 'TCP', port: 32000, endPort: 32768 }] }] })), 'default/role=db', '10.0.0.3', 32769, 'TCP', false],
  ['docs: namespaceSelector AND podSelector in one element need both', () => docs(policy('and', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { user: 'alice' } }, podSelector: { matchLabels: { role: 'client' } } }] }] })), 'other/role=admin', 'default/app=api', 443, 'TCP', false],
  ['docs: namespaceSelector OR podSelector in two elements need either', () => docs(policy('or', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { user: 'alice' } } }, { podSelector: { matchLabels: { role: 'client' } } }] }] })), 'other/role=admin', 'default/app=api', 443, 'TCP', true],
  ['docs: an empty namespaceSelector selects every namespace', () => docs(policy('all-ns', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ namespaceSelector: {} }] }] })), 'other/x=y', 'default/app=api', 443, 'TCP', true],
  ['matchExpressions In / NotIn', () => docs(policy('expr', { podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['backend'] }] }, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] } }] }] })), 'default/env=dev', 'default/tier=backend', 80, 'TCP', false],
  ['named ports resolve against the destination pod', () => docs(policy('named', { podSelector: { matchLabels: { app: 'metrics' } }, ingress: [{ ports: [{ port: 'metrics' }] }] })), 'other/x=y', 'default/app=metrics', 9100, 'TCP', true],
];

const repoCases: Case[] = [
  ['repo: development to production is denied', () => repoCluster, 'development/app=web', 'production/app=api', 8080, 'TCP', false, ['development/allow-dns', 'development/allow-same-namespace', 'development/default-deny', 'production/allow-monitoring-from-system', 'production/allow-same-namespace', 'production/default-deny']],
  ['repo: staging to production is denied', () => repoCluster, 'staging/app=web', 'production/app=api', 443, 'TCP', false],
  ['repo: production to development is denied', () => repoCluster, 'production/app=api', 'development/app=web', 80, 'TCP', false],
  ['repo: the same namespace is allowed', () => repoCluster, 'production/app=web', 'production/app=api', 8080, 'TCP', true, ['production/allow-same-namespace']],
  ['repo: DNS to kube-system is allowed', () => repoCluster, 'staging/app=web', 'kube-system/k8s-app=kube-dns', 53, 'UDP', true, ['staging/allow-dns']],
  ['repo: other traffic to kube-system is denied', () => repoCluster, 'staging/app=web', 'kube-system/k8s-app=kube-dns', 443, 'TCP', false],
  ['repo: the internet is denied', () => repoCluster, 'production/app=web', '93.184.216.34', 443, 'TCP', false],
  ['repo: system Prometheus scrapes production metrics', () => repoCluster, 'system/app=prometheus', 'production/app=api', 9090, 'TCP', true, ['production/allow-monitoring-from-system', 'system/allow-prometheus-scrape']],
  ['repo: another system pod may not scrape production', () => repoCluster, 'system/app=grafana', 'production/app=api', 9090, 'TCP', false],
  ['repo: Prometheus may not reach other production ports', () => repoCluster, 'system/app=prometheus', 'production/app=api', 5432, 'TCP', false],
  ['repo: production may not reach system', () => repoCluster, 'production/app=api', 'system/app=prometheus', 9090, 'TCP', false],
];

describe('NetworkPolicy evaluator', () => {
  it('has at least 30 cases', () => {
    expect(docsCases.length + repoCases.length).toBeGreaterThanOrEqual(30);
  });

  it.each([...docsCases, ...repoCases])('%s', async (_name, cluster, from, to, port, protocol, allowed, decidedBy) => {
    repoCluster ??= await repo();
    const namedPorts = { metrics: 9100 };
    const verdict = evaluate(cluster(), parseEndpoint(from), parseEndpoint(to, namedPorts), port, protocol);
    expect(verdict.allowed, verdict.reasons.join('; ')).toBe(allowed);
    if (decidedBy) expect(verdict.decidedBy).toEqual(decidedBy);
  });

  it('flips exactly the case an explicit allow rule in config names', async () => {
    const files = (await readConfigFiles(repoRoot)).filter((f) => f.path.startsWith('environments/'));
    const rule = `      - name: staging-reads-production-api\n        direction: ingress\n        podLabels: { app: api }\n        peers: [{ environment: staging, podLabels: { app: web } }]\n        ports: [{ port: 8080 }]\n`;
    const production = withEdit(files, 'environments/production.yaml', '    allow:\n', `    allow:\n${rule}`);
    const staging = withEdit(production, 'environments/staging.yaml', '  access:\n', `    - name: web-to-production-api\n      direction: egress\n      podLabels: { app: web }\n      peers: [{ environment: production, podLabels: { app: api } }]\n      ports: [{ port: 8080 }]\n  access:\n`.replace(/^    /gm, '      ').replace(/^      - name/m, '      - name'));
    const before = clusterFrom(files);
    const after = clusterFrom(staging);
    const probes: [string, string, number][] = [
      ['staging/app=web', 'production/app=api', 8080],
      ['staging/app=web', 'production/app=api', 8081],
      ['staging/app=worker', 'production/app=api', 8080],
      ['staging/app=web', 'production/app=db', 8080],
      ['development/app=web', 'production/app=api', 8080],
      ['production/app=api', 'staging/app=web', 8080],
      ['system/app=prometheus', 'production/app=api', 9090],
    ];
    const flipped = probes.filter(([from, to, port]) => evaluate(before, parseEndpoint(from), parseEndpoint(to), port).allowed !== evaluate(after, parseEndpoint(from), parseEndpoint(to), port).allowed);
    expect(flipped).toEqual([['staging/app=web', 'production/app=api', 8080]]);
  });

  it('matches IPv4 and IPv6 CIDRs', () => {
    expect(inCidr('10.1.2.3', '10.0.0.0/8')).toBe(true);
    expect(inCidr('11.1.2.3', '10.0.0.0/8')).toBe(false);
    expect(inCidr('2001:db8::1', '2001:db8::/32')).toBe(true);
    expect(inCidr('2001:db9::1', '2001:db8::/32')).toBe(false);
    expect(inCidr('10.0.0.1', '2001:db8::/32')).toBe(false);
  });
});
