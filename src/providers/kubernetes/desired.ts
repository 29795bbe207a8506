/**
 * Environments → Kubernetes objects: the namespace, default-deny networking with the
 * always-on allowances (same namespace, DNS), allow rules from config, quotas, limits,
 * RBAC from the access list, the deploy ServiceAccount and the baseline Secrets.
 * Specs hold only the fields Shipyard declares; the provider adds apiVersion/kind/name.
 */
import { address, type Address } from '../../model/address.ts';
import type { AccessRole, AllowRule, EnvironmentDoc, Peer } from '../../model/config.ts';
import { generateRule } from '../../secrets/fingerprint.ts';
import type { DesiredResource, Spec, SpecValue } from '../../model/resource.ts';

export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'shipyard' };
export const ENVIRONMENT_LABEL = 'shipyard.dev/environment';

/** What each Shipyard role may do in its namespace. Built-in admin/edit/view are aggregated by the controller manager, which a bare apiserver lacks, so the rules are explicit. */
export const roleRules: Record<AccessRole, (secretsReadable: boolean) => SpecValue[]> = {
  admin: () => [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
  edit: (secretsReadable) => [
    { apiGroups: ['', 'apps', 'batch', 'autoscaling', 'networking.k8s.io', 'policy'], resources: ['pods', 'pods/log', 'pods/exec', 'pods/portforward', 'services', 'endpoints', 'configmaps', 'persistentvolumeclaims', 'deployments', 'replicasets', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs', 'horizontalpodautoscalers', 'ingresses', 'poddisruptionbudgets', 'events'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
    ...(secretsReadable ? [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] }] : []),
    { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: [''], resources: ['resourcequotas', 'limitranges', 'serviceaccounts'], verbs: ['get', 'list', 'watch'] },
  ],
  view: () => [
    { apiGroups: ['', 'apps', 'batch', 'autoscaling', 'networking.k8s.io', 'policy'], resources: ['pods', 'pods/log', 'services', 'endpoints', 'configmaps', 'persistentvolumeclaims', 'deployments', 'replicasets', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs', 'horizontalpodautoscalers', 'ingresses', 'poddisruptionbudgets', 'events', 'networkpolicies', 'resourcequotas', 'limitranges', 'serviceaccounts'], verbs: ['get', 'list', 'watch'] },
  ],
  deploy: () => [
    { apiGroups: ['apps', 'batch', ''], resources: ['deployments', 'statefulsets', 'jobs', 'cronjobs', 'services', 'configmaps'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'] },
    { apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list', 'watch'] },
  ],
};

export function isProtectedEnvironment(doc: EnvironmentDoc): boolean {
  return doc.spec?.protected ?? ['production', 'system'].includes(doc.metadata.name);
}

export function compileEnvironment(doc: EnvironmentDoc, all: EnvironmentDoc[], source: { file: string; line: (path: (string | number)[]) => number }): DesiredResource[] {
  const spec = doc.spec!;
  const env = doc.metadata.name;
  const ns = spec.namespace.name;
  const isProtected = isProtectedEnvironment(doc);
  const out: DesiredResource[] = [];
  const nsAddress = address('kubernetes', ns, 'Namespace', ns);
  const add = (kind: string, name: string, resourceSpec: Spec, path: (string | number)[], extra: Partial<DesiredResource> = {}): Address => {
    const resourceAddress = address('kubernetes', ns, kind, name);
    out.push({ address: resourceAddress, provider: 'kubernetes', kind, scope: ns, environment: env, spec: resourceSpec, dependsOn: kind === 'Namespace' ? [] : [nsAddress], source: { file: source.file, line: source.line(path) }, ...extra });
    return resourceAddress;
  };
  const labels = { ...spec.namespace.labels, ...MANAGED_BY, [ENVIRONMENT_LABEL]: env };

  add('Namespace', ns, { metadata: { labels } }, ['spec', 'namespace'], { protected: isProtected });
  add('NetworkPolicy', 'default-deny', { spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } }, ['spec', 'namespace']);
  add('NetworkPolicy', 'allow-same-namespace', { spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: {} }] }], egress: [{ to: [{ podSelector: {} }] }] } }, ['spec', 'namespace']);
  add('NetworkPolicy', 'allow-dns', {
    spec: {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }],
    },
  }, ['spec', 'namespace']);
  spec.network?.allow?.forEach((rule, i) => add('NetworkPolicy', `allow-${rule.name}`, { spec: allowRuleSpec(rule, all) }, ['spec', 'network', 'allow', i]));
  if (spec.quota) add('ResourceQuota', 'quota', { spec: { hard: { ...spec.quota } } }, ['spec', 'quota']);
  if (spec.limits) {
    const limit: Record<string, SpecValue> = { type: 'Container' };
    for (const key of ['default', 'defaultRequest', 'max'] as const) if (spec.limits[key]) limit[key] = { ...spec.limits[key] };
    add('LimitRange', 'limits', { spec: { limits: [limit] } }, ['spec', 'limits']);
  }
  const roles = new Set<AccessRole>([...spec.access.map((a) => a.role), 'deploy']);
  const roleAddresses = new Map<AccessRole, Address>();
  for (const role of [...roles].sort()) {
    roleAddresses.set(role, add('Role', `shipyard-${role}`, { rules: roleRules[role](!isProtected) }, ['spec', 'access']));
  }
  spec.access.forEach((entry, i) => {
    add('RoleBinding', `${slug(entry.group)}-${entry.role}`, {
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `shipyard-${entry.role}` },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: entry.group }],
    }, ['spec', 'access', i], { dependsOn: [nsAddress, roleAddresses.get(entry.role)!] });
  });
  const serviceAccount = add('ServiceAccount', 'deploy', { metadata: { labels: { ...MANAGED_BY } } }, ['spec', 'namespace']);
  add('RoleBinding', 'deploy-sa', {
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'shipyard-deploy' },
    subjects: [{ kind: 'ServiceAccount', name: 'deploy', namespace: ns }],
  }, ['spec', 'namespace'], { dependsOn: [nsAddress, serviceAccount, roleAddresses.get('deploy')!] });
  spec.secrets.forEach((secret, i) => {
    const value: SpecValue = 'secretRef' in secret.source
      ? { $secretRef: secret.source.secretRef }
      : { $generate: generateRule(secret.source) };
    const annotations: Record<string, string> = { 'shipyard.dev/description': secret.description, 'shipyard.dev/source': 'secretRef' in secret.source ? `secretRef:${secret.source.secretRef}` : 'generated' };
    if (secret.rotation) {
      annotations['shipyard.dev/rotate-every'] = secret.rotation.every;
      annotations['shipyard.dev/rotation-grace'] = secret.rotation.grace ?? '7d';
    }
    add('Secret', secret.name, { metadata: { labels: { ...MANAGED_BY }, annotations }, type: 'Opaque', stringData: { value } }, ['spec', 'secrets', i]);
  });
  return out;
}

function allowRuleSpec(rule: AllowRule, all: EnvironmentDoc[]): SpecValue {
  const peers = rule.peers.map((peer) => peerSpec(peer, all));
  const entry: Record<string, SpecValue> = { [rule.direction === 'ingress' ? 'from' : 'to']: peers };
  if (rule.ports) entry.ports = rule.ports.map((p) => ({ protocol: p.protocol ?? 'TCP', port: p.port, ...(p.endPort ? { endPort: p.endPort } : {}) }));
  return {
    podSelector: rule.podLabels ? { matchLabels: { ...rule.podLabels } } : {},
    policyTypes: [rule.direction === 'ingress' ? 'Ingress' : 'Egress'],
    [rule.direction]: [entry],
  };
}

function peerSpec(peer: Peer, all: EnvironmentDoc[]): SpecValue {
  if (peer.cidr) return { ipBlock: { cidr: peer.cidr, ...(peer.except ? { except: [...peer.except] } : {}) } };
  const out: Record<string, SpecValue> = {};
  if (peer.environment) {
    const target = all.find((e) => e.metadata.name === peer.environment);
    out.namespaceSelector = { matchLabels: { 'kubernetes.io/metadata.name': target?.spec?.namespace.name ?? peer.environment } };
  } else if (peer.namespaceLabels) {
    out.namespaceSelector = { matchLabels: { ...peer.namespaceLabels } };
  }
  if (peer.podLabels) out.podSelector = { matchLabels: { ...peer.podLabels } };
  return out;
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'group';
}
