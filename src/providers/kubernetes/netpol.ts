/**
 * A NetworkPolicy evaluator: may traffic from endpoint A reach endpoint B on a port?
 * Nothing in the test cluster enforces NetworkPolicies (no CNI), so isolation is proven by
 * evaluating the policies read back from the apiserver with the full semantics of
 * https://kubernetes.io/docs/concepts/services-networking/network-policies/:
 * policyTypes (and their defaults), pod and namespace selectors with matchExpressions,
 * empty versus missing selectors, ipBlock with except, ports, named ports and endPort.
 */

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

export interface PolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

export interface PolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

export interface NetworkPolicy {
  metadata: { name: string; namespace: string };
  spec: {
    podSelector: LabelSelector;
    policyTypes?: ('Ingress' | 'Egress')[];
    ingress?: { from?: PolicyPeer[]; ports?: PolicyPort[] }[];
    egress?: { to?: PolicyPeer[]; ports?: PolicyPort[] }[];
  };
}

/** A pod (namespace + labels, with its named container ports), or an address outside the cluster. */
export type Endpoint =
  | { namespace: string; labels: Record<string, string>; namedPorts?: Record<string, number>; ip?: string }
  | { ip: string };

export interface Verdict {
  allowed: boolean;
  /** Each step of the decision, e.g. "egress from development is isolated by development/default-deny". */
  reasons: string[];
  /** The policies that decided it: the isolating ones when denied, the allowing ones when allowed. */
  decidedBy: string[];
}

export interface Cluster {
  policies: NetworkPolicy[];
  /** Namespace name → labels (kubernetes.io/metadata.name is added if missing). */
  namespaces: Record<string, Record<string, string>>;
}

export function evaluate(cluster: Cluster, from: Endpoint, to: Endpoint, port: number, protocol = 'TCP'): Verdict {
  const reasons: string[] = [];
  const decidedBy: string[] = [];
  let allowed = true;
  for (const direction of ['Egress', 'Ingress'] as const) {
    const subject = direction === 'Egress' ? from : to;
    const peer = direction === 'Egress' ? to : from;
    if (!('namespace' in subject)) {
      reasons.push(`${direction.toLowerCase()} of ${describe(subject)} is outside the cluster: no policy applies`);
      continue;
    }
    const selecting = cluster.policies.filter((p) => p.metadata.namespace === subject.namespace && policyTypes(p).includes(direction) && matches(p.spec.podSelector, subject.labels));
    if (selecting.length === 0) {
      reasons.push(`${direction.toLowerCase()} of ${describe(subject)} is not isolated (no policy selects it for ${direction})`);
      continue;
    }
    const allowing = selecting.filter((p) => ruleAllows(cluster, p, direction, peer, subject, port, protocol));
    if (allowing.length > 0) {
      reasons.push(`${direction.toLowerCase()} allowed by ${allowing.map(name).join(', ')}`);
      decidedBy.push(...allowing.map(name));
    } else {
      allowed = false;
      reasons.push(`${direction.toLowerCase()} of ${describe(subject)} is isolated by ${selecting.map(name).join(', ')} and no rule allows ${describe(peer)} on ${protocol}/${port}`);
      decidedBy.push(...selecting.map(name));
    }
  }
  return { allowed, reasons, decidedBy: [...new Set(decidedBy)].sort() };
}

/** policyTypes defaults: Ingress always, Egress when the policy has egress rules. */
export function policyTypes(policy: NetworkPolicy): ('Ingress' | 'Egress')[] {
  if (policy.spec.policyTypes?.length) return policy.spec.policyTypes;
  return policy.spec.egress ? ['Ingress', 'Egress'] : ['Ingress'];
}

function ruleAllows(cluster: Cluster, policy: NetworkPolicy, direction: 'Ingress' | 'Egress', peer: Endpoint, subject: Endpoint, port: number, protocol: string): boolean {
  const rules = direction === 'Ingress'
    ? (policy.spec.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports }))
    : (policy.spec.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports }));
  // The destination's named ports resolve a port name: for ingress the subject is the destination.
  const destination = direction === 'Ingress' ? subject : peer;
  return rules.some((rule) =>
    (!rule.peers || rule.peers.length === 0 || rule.peers.some((p) => peerMatches(cluster, policy.metadata.namespace, p, peer))) &&
    (!rule.ports || rule.ports.length === 0 || rule.ports.some((p) => portMatches(p, destination, port, protocol))),
  );
}

function peerMatches(cluster: Cluster, policyNamespace: string, peer: PolicyPeer, endpoint: Endpoint): boolean {
  if (peer.ipBlock) return endpoint.ip !== undefined && inCidr(endpoint.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((e) => inCidr(endpoint.ip!, e));
  if (!('namespace' in endpoint)) return false;
  // namespaceSelector: namespaces it selects (empty = all); missing: the policy's own namespace.
  const namespaceOk = peer.namespaceSelector
    ? matches(peer.namespaceSelector, namespaceLabels(cluster, endpoint.namespace))
    : endpoint.namespace === policyNamespace;
  // podSelector missing next to a namespaceSelector: every pod of those namespaces.
  const podOk = peer.podSelector ? matches(peer.podSelector, endpoint.labels) : true;
  return namespaceOk && podOk;
}

function portMatches(rule: PolicyPort, destination: Endpoint, port: number, protocol: string): boolean {
  if ((rule.protocol ?? 'TCP') !== protocol) return false;
  if (rule.port === undefined) return true;
  if (typeof rule.port === 'string') {
    const named = 'namespace' in destination ? destination.namedPorts?.[rule.port] : undefined;
    return named === port;
  }
  return rule.endPort !== undefined ? port >= rule.port && port <= rule.endPort : port === rule.port;
}

export function matches(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const expression of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, expression.key);
    const value = labels[expression.key];
    switch (expression.operator) {
      case 'In':
        if (!has || !(expression.values ?? []).includes(value!)) return false;
        break;
      case 'NotIn':
        if (has && (expression.values ?? []).includes(value!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

function namespaceLabels(cluster: Cluster, namespace: string): Record<string, string> {
  return { 'kubernetes.io/metadata.name': namespace, ...(cluster.namespaces[namespace] ?? {}) };
}

/** IPv4 and IPv6 CIDR membership. */
export function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const a = toBigInt(ip);
  const b = toBigInt(base!);
  if (a === undefined || b === undefined || a.width !== b.width) return false;
  const bits = BigInt(Number(bitsText ?? a.width));
  const shift = BigInt(a.width) - bits;
  return a.value >> shift === b.value >> shift;
}

function toBigInt(ip: string): { value: bigint; width: number } | undefined {
  if (ip.includes('.')) {
    const parts = ip.split('.').map(Number);
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
    return { value: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n), width: 32 };
  }
  const [head, tail] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  if (groups.length !== 8) return undefined;
  return { value: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || '0', 16)), 0n), width: 128 };
}

function name(policy: NetworkPolicy): string {
  return `${policy.metadata.namespace}/${policy.metadata.name}`;
}

function describe(endpoint: Endpoint): string {
  if (!('namespace' in endpoint)) return endpoint.ip;
  const labels = Object.entries(endpoint.labels).map(([k, v]) => `${k}=${v}`).join(',');
  return labels ? `${endpoint.namespace}/${labels}` : endpoint.namespace;
}

/** `NS`, `NS/k=v,k2=v2` or an IP address, as the CLI takes them. */
export function parseEndpoint(text: string, namedPorts?: Record<string, number>): Endpoint {
  if (/^[0-9.]+$|:/.test(text)) return { ip: text };
  const [namespace, labelText] = text.split('/', 2);
  const labels: Record<string, string> = {};
  for (const pair of (labelText ?? '').split(',').filter(Boolean)) {
    const [key, value] = pair.split('=');
    if (!key || value === undefined) throw new Error(`invalid label ${JSON.stringify(pair)} in ${JSON.stringify(text)}: write key=value`);
    labels[key] = value;
  }
  return { namespace: namespace!, labels, ...(namedPorts ? { namedPorts } : {}) };
}

/** The policies and namespace labels as the apiserver has them: two list calls. */
export async function readCluster(client: { list(apiVersion: string, kind: string, namespace?: string): Promise<{ metadata?: { name?: string; namespace?: string; labels?: Record<string, string> }; spec?: unknown }[]> }): Promise<Cluster> {
  const [policies, namespaces] = await Promise.all([client.list('networking.k8s.io/v1', 'NetworkPolicy'), client.list('v1', 'Namespace')]);
  return {
    policies: policies.map((p) => ({ metadata: { name: p.metadata!.name!, namespace: p.metadata!.namespace! }, spec: p.spec as NetworkPolicy['spec'] })),
    namespaces: Object.fromEntries(namespaces.map((n) => [n.metadata!.name!, n.metadata!.labels ?? {}])),
  };
}
