// The Kubernetes test harness against a real kube-apiserver + etcd (scripts/build-kube.sh).
// Fails (never skips) when the binaries are missing.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiException, CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { kubeRequest, startKube, type KubeCluster, type KubeIdentity } from './harness/kube.ts';

const exec = promisify(execFile);

// A start failure (e.g. binaries not built) is rethrown by every test, so each one FAILS with the
// reason instead of being reported as skipped after a failed hook.
let started: KubeCluster | undefined;
let startError: unknown;
const kube = new Proxy({} as KubeCluster, {
  get(_t, prop) {
    if (!started) throw startError ?? new Error('kube harness: cluster not started');
    return started[prop as keyof KubeCluster];
  },
});

beforeAll(async () => {
  try {
    started = await startKube();
  } catch (err) {
    startError = err;
  }
}, 180_000);

afterAll(async () => {
  await started?.stop();
});

function core(identity: KubeIdentity): CoreV1Api {
  const kc = new KubeConfig();
  kc.loadFromFile(kube.kubeconfig(identity));
  return kc.makeApiClient(CoreV1Api);
}

function rbac(identity: KubeIdentity): RbacAuthorizationV1Api {
  const kc = new KubeConfig();
  kc.loadFromFile(kube.kubeconfig(identity));
  return kc.makeApiClient(RbacAuthorizationV1Api);
}

async function canI(identity: KubeIdentity, ...args: string[]): Promise<string> {
  // `kubectl auth can-i` exits 1 when the answer is "no"; the answer is on stdout either way.
  try {
    const { stdout } = await exec('kubectl', ['--kubeconfig', kube.kubeconfig(identity), 'auth', 'can-i', ...args]);
    return stdout.trim();
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    if (e.code === 1 && e.stdout) return e.stdout.trim();
    throw err;
  }
}

describe('kube harness (real kube-apiserver)', () => {
  it('serves /version of the built Kubernetes release', async () => {
    const res = await kubeRequest(kube.connectionInfo, 'admin', 'GET', '/version');
    expect(res.status).toBe(200);
    expect(res.json<{ gitVersion: string }>().gitVersion).toMatch(/^v1\.34\.\d+$/);
  });

  it('lets the admin create a namespace', async () => {
    const ns = await core('admin').createNamespace({ body: { metadata: { name: 'harness-smoke' } } });
    expect(ns.metadata?.name).toBe('harness-smoke');
    const got = await core('admin').readNamespace({ name: 'harness-smoke' });
    expect(got.status?.phase).toBe('Active');
  });

  it('forbids the outsider from listing namespaces (403 via @kubernetes/client-node)', async () => {
    const err = await core('outsider')
      .listNamespace()
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ApiException);
    expect((err as ApiException<unknown>).code).toBe(403);
    expect(String((err as ApiException<unknown>).body)).toMatch(/mallory.*cannot list resource/);
  });

  it('rejects an unknown token with 401', async () => {
    const res = await kubeRequest({ ...kube.connectionInfo, tokens: { ...kube.tokens, outsider: 'not-a-token' } }, 'outsider', 'GET', '/api/v1/namespaces');
    expect(res.status).toBe(401);
  });

  it('answers kubectl auth can-i per identity', async () => {
    expect(await canI('outsider', 'list', 'pods', '-n', 'default')).toBe('no');
    expect(await canI('admin', 'list', 'pods', '-n', 'default')).toBe('yes');
    expect(await canI('developer', 'list', 'pods', '-n', 'default')).toBe('no');
  });

  it('has the bootstrap ClusterRoles, but admin/edit/view are empty without a controller manager', async () => {
    // admin, edit and view are aggregated ClusterRoles: their rules are filled in by the
    // clusterrole-aggregation controller of kube-controller-manager, which this harness does not run.
    // So they exist with no rules, and a RoleBinding to them grants nothing: Shipyard must define
    // its own Roles with explicit rules rather than bind to the built-in ones.
    const api = rbac('admin');
    for (const name of ['admin', 'edit', 'view']) {
      const role = await api.readClusterRole({ name });
      expect(role.aggregationRule?.clusterRoleSelectors?.length ?? 0).toBeGreaterThan(0);
      expect(role.rules ?? []).toEqual([]);
    }
    const clusterAdmin = await api.readClusterRole({ name: 'cluster-admin' });
    expect(clusterAdmin.rules?.length).toBeGreaterThan(0);

    // Verify: binding the developer to the built-in `edit` grants nothing ...
    await api.createNamespacedRoleBinding({
      namespace: 'harness-smoke',
      body: {
        metadata: { name: 'dev-edit-builtin' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'app-developers' }],
      },
    });
    expect(await canI('developer', 'list', 'pods', '-n', 'harness-smoke')).toBe('no');

    // ... while an explicit Role does (RBAC takes effect immediately, no controller needed).
    await api.createNamespacedRole({
      namespace: 'harness-smoke',
      body: {
        metadata: { name: 'shipyard-developer' },
        rules: [{ apiGroups: [''], resources: ['pods', 'configmaps'], verbs: ['get', 'list', 'watch', 'create'] }],
      },
    });
    await api.createNamespacedRoleBinding({
      namespace: 'harness-smoke',
      body: {
        metadata: { name: 'dev-shipyard-developer' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'shipyard-developer' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'app-developers' }],
      },
    });
    expect(await canI('developer', 'list', 'pods', '-n', 'harness-smoke')).toBe('yes');
    expect(await canI('developer', 'delete', 'pods', '-n', 'harness-smoke')).toBe('no');
    const cms = await core('developer').listNamespacedConfigMap({ namespace: 'harness-smoke' });
    expect(Array.isArray(cms.items)).toBe(true);
  });

  it('accepts ServiceAccounts and issues tokens without a controller manager', async () => {
    const api = core('admin');
    await api.createNamespacedServiceAccount({ namespace: 'harness-smoke', body: { metadata: { name: 'deployer' } } });
    const tr = await api.createNamespacedServiceAccountToken({
      namespace: 'harness-smoke',
      name: 'deployer',
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    const saToken = tr.status?.token ?? '';
    expect(saToken).toMatch(/^ey/);
    // The issued token authenticates as the ServiceAccount.
    const conn = { ...kube.connectionInfo, tokens: { ...kube.tokens, outsider: saToken } };
    const review = await kubeRequest(conn, 'outsider', 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
    });
    expect(review.status).toBe(201);
    expect(review.json<{ status: { userInfo: { username: string } } }>().status.userInfo.username).toBe(
      'system:serviceaccount:harness-smoke:deployer',
    );
    // A pod can be created (stays Pending: no scheduler/kubelet) since the ServiceAccount admission
    // plugin, which would demand the `default` ServiceAccount, is disabled.
    const pod = await api.createNamespacedPod({
      namespace: 'harness-smoke',
      body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'example.invalid/x:1' }] } },
    });
    expect(pod.metadata?.uid).toBeTruthy();
  });
});
