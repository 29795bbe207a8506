/**
 * Who may do what in each environment, and the commands that prove it: data for the access
 * guide (the docs render it; nothing here prints).
 */
import type { AccessRole, EnvironmentDoc } from '../../model/config.ts';
import { isProtectedEnvironment } from './desired.ts';

export interface AccessCheck {
  /** What the command proves. */
  purpose: string;
  command: string;
  /** What an authorised member of the group sees. */
  expected: string;
}

export interface GroupAccess {
  group: string;
  role: AccessRole;
  description?: string;
  canDo: string[];
  cannotDo: string[];
  checks: AccessCheck[];
}

export interface EnvironmentAccess {
  environment: string;
  namespace: string;
  /** The kubeconfig context Shipyard's docs tell people to create for this environment. */
  context: string;
  protected: boolean;
  groups: GroupAccess[];
  deployServiceAccount: string;
}

const abilities: Record<AccessRole, (secrets: boolean) => { can: string[]; cannot: string[] }> = {
  admin: () => ({ can: ['everything in the namespace, including Secrets and RBAC'], cannot: ['anything outside the namespace'] }),
  edit: (secrets) => ({
    can: ['create, change and delete workloads, Services, ConfigMaps and Jobs', 'read logs, exec into pods, port-forward', ...(secrets ? ['read and write Secrets'] : [])],
    cannot: [...(secrets ? [] : ['read Secrets (protected environment)']), 'change NetworkPolicies, quotas or RBAC'],
  }),
  view: () => ({ can: ['read workloads, Services, ConfigMaps, events, logs, NetworkPolicies and quotas'], cannot: ['change anything', 'read Secrets'] }),
  deploy: () => ({ can: ['create and update Deployments, StatefulSets, Jobs, Services and ConfigMaps'], cannot: ['delete them', 'read Secrets', 'exec into pods'] }),
};

export function environmentAccess(doc: EnvironmentDoc): EnvironmentAccess {
  const spec = doc.spec!;
  const namespace = spec.namespace.name;
  const isProtected = isProtectedEnvironment(doc);
  return {
    environment: doc.metadata.name,
    namespace,
    context: `shipyard-${doc.metadata.name}`,
    protected: isProtected,
    deployServiceAccount: `system:serviceaccount:${namespace}:deploy`,
    groups: spec.access.map((entry) => {
      const secrets = entry.role === 'admin' || (entry.role === 'edit' && !isProtected);
      const { can, cannot } = abilities[entry.role](secrets);
      const checks: AccessCheck[] = [
        { purpose: 'list what you may do here', command: `kubectl auth can-i --list -n ${namespace}`, expected: 'a table of resources and verbs matching the role' },
        { purpose: 'see the workloads', command: `kubectl get pods -n ${namespace}`, expected: 'a list of pods, or "No resources found", never "forbidden"' },
        { purpose: 'check Secret access', command: `kubectl auth can-i get secrets -n ${namespace}`, expected: secrets ? 'yes' : 'no' },
        { purpose: 'check write access', command: `kubectl auth can-i create deployments -n ${namespace}`, expected: entry.role === 'view' ? 'no' : 'yes' },
      ];
      return { group: entry.group, role: entry.role, ...(entry.description ? { description: entry.description } : {}), canDo: can, cannotDo: cannot, checks };
    }),
  };
}
