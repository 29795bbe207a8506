/**
 * The four environments on a real kube-apiserver: plan from empty, apply, a second plan with no
 * changes, RBAC proven with real identities, quota edits and reverts, removal safety, and
 * objects made by others left alone. One cluster, steps in order.
 */
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFiles, readConfigFiles, type ConfigFile } from '../../src/config/load.ts';
import { applyPlan } from '../../src/engine/applier.ts';
import { computePlan, type PlanOptions } from '../../src/engine/planner.ts';
import { silentReporter } from '../../src/model/events.ts';
import type { StateStore } from '../../src/model/state.ts';
import { compileDesiredState } from '../../src/providers/desired-state.ts';
import { createKubernetesProvider } from '../../src/providers/kubernetes/provider.ts';
import { renderPlanJson } from '../../src/render/plan-json.ts';
import { renderPlanMarkdown } from '../../src/render/plan-markdown.ts';
import { renderPlanText } from '../../src/render/plan-text.ts';
import { Fingerprinter } from '../../src/secrets/fingerprint.ts';
import { secretsFromMap } from '../../src/secrets/sources.ts';
import { openSqliteStore } from '../../src/state/sqlite.ts';
import { kubeconfigFile, kubeRequest, type KubeConnection } from '../harness/kube.ts';
import { requireKube } from '../harness/services.ts';
import { withEdit } from '../config/fixtures.ts';
import { runCli } from '../cli/helpers.ts';

const repoRoot = new URL('../../', import.meta.url).pathname;
const CANARY = 'canary-kube-5b1e0d-do-not-leak';
const secrets = secretsFromMap(Object.fromEntries(['DEVELOPMENT', 'STAGING', 'PRODUCTION', 'SYSTEM'].map((e) => [`DATABASE_URL_${e}`, `postgres://app:${CANARY}-${e}@db/app`])));
const fingerprints = new Fingerprinter('kubernetes-test-fingerprint-key');

let kube: KubeConnection;
let store: StateStore;
let files: ConfigFile[];

function providerFor(identity: 'admin' | 'developer' | 'outsider' = 'admin') {
  return createKubernetesProvider({ server: kube.server, token: kube.tokens[identity], caData: kube.caData });
}

function desiredFrom(configFiles: ConfigFile[]) {
  const config = loadConfigFiles(repoRoot, configFiles);
  expect(config.diagnostics).toEqual([]);
  const state = compileDesiredState(config);
  return { resources: state.resources.filter((r) => r.provider === 'kubernetes'), state };
}

async function plan(configFiles: ConfigFile[], options: PlanOptions = {}) {
  const { resources, state } = desiredFrom(configFiles);
  const provider = providerFor();
  const result = await computePlan({ desired: resources, providers: [provider], store, secrets, fingerprints, reporter: silentReporter, options: { tombstones: state.tombstones, protectedEnvironments: state.protectedEnvironments, ...options } });
  return { ...result, provider };
}

async function apply(configFiles: ConfigFile[], options: PlanOptions = {}) {
  const { provider, ...result } = await plan(configFiles, options);
  const outcome = await applyPlan({ ...result, store, secrets, fingerprints, reporter: silentReporter, actor: 'test' });
  return { plan: result.plan, outcome, provider };
}

function kubectl(identity: 'admin' | 'developer' | 'outsider', args: string[]): { ok: boolean; out: string } {
  try {
    return { ok: true, out: execFileSync('kubectl', ['--kubeconfig', kubeconfigFile(kube, identity), ...args], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] }) };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('Kubernetes environments on a real apiserver', () => {
  beforeAll(async () => {
    kube = requireKube();
    store = await openSqliteStore(':memory:');
    files = (await readConfigFiles(repoRoot)).filter((f) => f.path.startsWith('environments/'));
  });

  it('plans the four environments from an empty cluster, applies them, then plans no changes', async () => {
    const first = await plan(files);
    const namespaces = first.plan.changes.filter((c) => c.kind === 'Namespace').map((c) => `${c.action} ${c.address}`);
    expect(namespaces).toEqual(['create kubernetes/development/Namespace/development', 'create kubernetes/production/Namespace/production', 'create kubernetes/staging/Namespace/staging', 'create kubernetes/system/Namespace/system']);
    expect(first.plan.diagnostics).toEqual([]);
    const { outcome } = await apply(files);
    expect(outcome.failed).toEqual([]);
    expect(outcome.status).toBe('done');
    const second = await plan(files);
    expect(second.plan.summary).toMatchObject({ create: 0, update: 0, replace: 0, delete: 0 });
    expect(second.plan.changes.every((c) => c.action === 'noop')).toBe(true);
    const provider = second.provider;
    provider.client.calls.apply = 0;
    const again = await applyPlan({ ...(await plan(files)), store, secrets, fingerprints, reporter: silentReporter, actor: 'test' });
    expect(again.writeCalls).toBe(0);
  });

  it('never shows secret values in plans, and stores them for real in the cluster', async () => {
    const { plan: p } = await plan(files);
    for (const text of [renderPlanText(p), renderPlanMarkdown(p), renderPlanJson(p), JSON.stringify(await store.listInventory()), JSON.stringify(await store.readJournal())]) {
      expect(text).not.toContain(CANARY);
    }
    const secret = kubeRequest(kube, 'admin', 'GET', '/api/v1/namespaces/production/secrets/database-url');
    const data = (await secret).json<{ data: { value: string } }>().data.value;
    expect(Buffer.from(data, 'base64').toString()).toBe(`postgres://app:${CANARY}-PRODUCTION@db/app`);
  });

  it('gives each identity exactly its access', async () => {
    const deployment = ['create', 'deployment', 'web', '--image=registry.invalid/web:1', '-n'];
    expect(kubectl('developer', [...deployment, 'development']).ok).toBe(true);
    const denied = kubectl('developer', [...deployment, 'production']);
    expect(denied.ok).toBe(false);
    expect(denied.out).toMatch(/forbidden/i);
    expect(kubectl('developer', ['get', 'secrets', '-n', 'production']).out).toMatch(/forbidden/i);
    expect(kubectl('developer', ['get', 'deployments', '-n', 'production']).ok).toBe(true); // view
    for (const ns of ['development', 'staging', 'production', 'system']) {
      expect(kubectl('admin', ['get', 'all,networkpolicies,secrets,resourcequotas', '-n', ns]).ok).toBe(true);
      const outsider = kubectl('outsider', ['get', 'pods', '-n', ns]);
      expect(outsider.ok).toBe(false);
      expect(outsider.out).toMatch(/forbidden/i);
    }
    expect(kubectl('outsider', ['auth', 'can-i', '--list', '-n', 'development']).out).not.toMatch(/deployments/);
    expect(kubectl('developer', ['auth', 'can-i', 'get', 'secrets', '-n', 'development']).out.trim()).toBe('yes');
    expect(kubectl('developer', ['auth', 'can-i', 'get', 'secrets', '-n', 'production']).out.trim()).toBe('no');
  });

  it('stores policies exactly as declared (a typed serializer once dropped `from`)', async () => {
    const live = await kubeRequest(kube, 'admin', 'GET', '/apis/networking.k8s.io/v1/namespaces/production/networkpolicies/allow-same-namespace');
    expect(live.json<{ spec: unknown }>().spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: {} }] }], egress: [{ to: [{ podSelector: {} }] }] });
  });

  it('documents access with commands whose expected answers the cluster confirms', async () => {
    const { environmentAccess } = await import('../../src/providers/kubernetes/access.ts');
    const config = loadConfigFiles(repoRoot, files);
    for (const { doc } of config.environments) {
      const access = environmentAccess(doc);
      const developers = access.groups.find((g) => g.group === 'app-developers')!;
      for (const check of developers.checks.filter((c) => c.command.startsWith('kubectl auth can-i get') || c.command.startsWith('kubectl auth can-i create'))) {
        const answer = kubectl('developer', check.command.split(' ').slice(1)).out.trim();
        expect(answer, `${doc.metadata.name}: ${check.command}`).toBe(check.expected);
      }
    }
  });

  it('answers netcheck from the policies read back from the apiserver', () => {
    const admin = kubeconfigFile(kube, 'admin');
    const denied = runCli(['netcheck', '--kubeconfig', admin, '--from', 'development/app=web', '--to', 'production/app=api', '--port', '8080']);
    expect(denied.status).toBe(1);
    expect(denied.stdout).toContain('denied: development/app=web → production/app=api on TCP/8080');
    expect(denied.stdout).toContain('decided by: development/allow-dns, development/allow-same-namespace, development/default-deny, production/allow-monitoring-from-system, production/allow-same-namespace, production/default-deny');
    const allowed = runCli(['netcheck', '--kubeconfig', admin, '--from', 'system/app=prometheus', '--to', 'production/app=api', '--port', '9090']);
    expect(allowed.status).toBe(0);
    expect(allowed.stdout).toContain('decided by: production/allow-monitoring-from-system, system/allow-prometheus-scrape');
    expect(runCli(['netcheck', '--kubeconfig', admin, '--from', 'staging', '--to', 'kube-system/k8s-app=kube-dns', '--port', '53', '--protocol', 'udp']).status).toBe(0);
    expect(runCli(['netcheck', '--kubeconfig', admin, '--from', 'staging', '--to', 'production', '--port', 'http']).status).toBe(2);
  });

  it('plans exactly an edited quota field, and the reverted config restores it', async () => {
    const edited = withEdit(files, 'environments/staging.yaml', 'requests.cpu: "4"', 'requests.cpu: "6"');
    const { plan: p } = await plan(edited);
    const changed = p.changes.filter((c) => c.action !== 'noop');
    expect(changed.map((c) => [c.address, c.fields])).toEqual([['kubernetes/staging/ResourceQuota/quota', [{ path: '/spec/hard/requests.cpu', before: '4', after: '6' }]]]);
    await apply(edited);
    const live = await kubeRequest(kube, 'admin', 'GET', '/api/v1/namespaces/staging/resourcequotas/quota');
    expect(live.json<{ spec: { hard: Record<string, string> } }>().spec.hard['requests.cpu']).toBe('6');
    const reverted = await apply(files);
    expect(reverted.plan.changes.filter((c) => c.action !== 'noop').map((c) => c.address)).toEqual(['kubernetes/staging/ResourceQuota/quota']);
    const back = await kubeRequest(kube, 'admin', 'GET', '/api/v1/namespaces/staging/resourcequotas/quota');
    expect(back.json<{ spec: { hard: Record<string, string> } }>().spec.hard['requests.cpu']).toBe('4');
  });

  it('shows no change for a value the server only writes in canonical form', async () => {
    const edited = withEdit(files, 'environments/staging.yaml', 'requests.cpu: "4"', 'requests.cpu: "4000m"');
    await apply(edited);
    const { plan: p } = await plan(edited);
    expect(p.changes.filter((c) => c.action !== 'noop')).toEqual([]);
    await apply(files);
  });

  it('reports an object made by someone else as unmanaged and never deletes it', async () => {
    const made = await kubeRequest(kube, 'admin', 'POST', '/apis/networking.k8s.io/v1/namespaces/staging/networkpolicies', {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'hand-made' }, spec: { podSelector: {}, policyTypes: ['Ingress'] },
    });
    expect(made.status).toBe(201);
    const { plan: p, outcome } = await apply(files);
    expect(p.unmanaged.map((u) => u.address)).toContain('kubernetes/staging/NetworkPolicy/hand-made');
    expect(outcome.status).toBe('nothing-to-do');
    expect((await kubeRequest(kube, 'admin', 'GET', '/apis/networking.k8s.io/v1/namespaces/staging/networkpolicies/hand-made')).status).toBe(200);
  });

  it('refuses to remove production without a tombstone, and removes only what it owns with one', async () => {
    // System's egress rule names production: a removal edits that reference too.
    const withoutProduction = withEdit(files, 'environments/system.yaml', '          - environment: production\n', '').filter((f) => f.path !== 'environments/production.yaml');
    const refused = await plan(withoutProduction);
    // The namespace is protected (a tombstone is missing), and the deletes exceed the threshold.
    expect(refused.plan.diagnostics.map((d) => d.code)).toEqual(['safety.protected', 'safety.threshold']);
    expect(refused.plan.diagnostics[0]!.message).toBe('kubernetes/production/Namespace/production is protected and would be deleted');
    await expect(apply(withoutProduction)).rejects.toThrow(/protected/);

    await kubeRequest(kube, 'admin', 'POST', '/api/v1/namespaces/production/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'team-notes' }, data: { a: 'b' } });
    const tombstoned = [...withoutProduction, { path: 'environments/production.yaml', text: 'apiVersion: shipyard.dev/v1\nkind: Environment\nmetadata:\n  name: production\ntombstone:\n  reason: production moves to a new cluster\n  approvedBy: platform-team\n' }];
    const config = loadConfigFiles(repoRoot, tombstoned);
    // Ventures reference production; only the environment files matter for this provider.
    const { resources, state } = { resources: compileDesiredState(config).resources.filter((r) => r.provider === 'kubernetes'), state: compileDesiredState(config) };
    const provider = providerFor();
    const result = await computePlan({ desired: resources, providers: [provider], store, secrets, fingerprints, reporter: silentReporter, options: { tombstones: state.tombstones, protectedEnvironments: state.protectedEnvironments } });
    expect(result.plan.diagnostics).toEqual([]);
    const deletes = result.plan.changes.filter((c) => c.action === 'delete');
    expect(deletes.length).toBeGreaterThan(10);
    expect(deletes.every((c) => c.address.startsWith('kubernetes/production/'))).toBe(true);
    expect(result.plan.changes.filter((c) => c.action === 'update').map((c) => c.address)).toEqual(['kubernetes/system/NetworkPolicy/allow-prometheus-scrape']);
    const outcome = await applyPlan({ ...result, store, secrets, fingerprints, reporter: silentReporter, actor: 'test' });
    expect(outcome.status).toBe('done');
    expect((await store.listInventory('production'))).toEqual([]);
    // The ConfigMap Shipyard never owned was not deleted one by one; the namespace itself is now
    // Terminating. With no kube-controller-manager here it stays so, and the apiserver refuses new
    // objects in it: a plan that brings production back says so at plan time, before any write.
    const namespace = (await kubeRequest(kube, 'admin', 'GET', '/api/v1/namespaces/production')).json<{ metadata: { deletionTimestamp?: string } }>();
    expect(namespace.metadata.deletionTimestamp).toBeTruthy();
    const back = await plan(files);
    expect(back.plan.diagnostics.some((d) => d.code === 'provider.rejected' && d.message.includes('being terminated'))).toBe(true);
  });
});
