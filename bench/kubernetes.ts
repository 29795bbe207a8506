/**
 * Shipyard's plan of the four environments against `kubectl diff --server-side -f` on the same
 * manifests and the same real apiserver, one run each (DESIGN §7: ratios side by side).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/load.ts';
import { applyPlan } from '../src/engine/applier.ts';
import { computePlan } from '../src/engine/planner.ts';
import { resolveForApply } from '../src/engine/resolve.ts';
import { silentReporter } from '../src/model/events.ts';
import { compileDesiredState } from '../src/providers/desired-state.ts';
import { createKubernetesProvider, manifest } from '../src/providers/kubernetes/provider.ts';
import { Fingerprinter } from '../src/secrets/fingerprint.ts';
import { secretsFromMap } from '../src/secrets/sources.ts';
import { openSqliteStore } from '../src/state/sqlite.ts';
import { kubeconfigFile, startKube } from '../test/harness/kube.ts';
import type { BenchRow } from './table.ts';

export async function benchKubernetes(): Promise<BenchRow[]> {
  const cluster = await startKube();
  const dir = mkdtempSync(path.join(tmpdir(), 'shipyard-bench-kube-'));
  try {
    const root = new URL('../', import.meta.url).pathname;
    const desired = compileDesiredState(await loadConfig(root)).resources.filter((r) => r.provider === 'kubernetes');
    const provider = createKubernetesProvider({ server: cluster.server, token: cluster.tokens.admin, caData: cluster.caData });
    const store = await openSqliteStore(':memory:');
    const secrets = secretsFromMap(Object.fromEntries(['DEVELOPMENT', 'STAGING', 'PRODUCTION', 'SYSTEM'].map((e) => [`DATABASE_URL_${e}`, `postgres://bench@db/${e}`])));
    const fingerprints = new Fingerprinter('bench-fingerprint-key-0123456789');
    const context = { providers: [provider], store, secrets, fingerprints, reporter: silentReporter };
    await applyPlan({ ...(await computePlan({ desired, ...context })), ...context, actor: 'bench' });

    // The same objects as manifests, with the values the cluster holds (so neither side sees a change).
    const live = new Map<string, string>();
    for (const object of await provider.client.list('v1', 'Secret')) live.set(`${object.metadata?.namespace}/${object.metadata?.name}`, Buffer.from(String((object.data as Record<string, string>)?.value ?? ''), 'base64').toString());
    const documents = desired.map((r) => {
      const { spec } = resolveForApply(r.spec, { secrets, fingerprints, outputs: () => undefined, stored: {}, address: r.address });
      const object = manifest(r.address, spec) as Record<string, unknown> & { stringData?: Record<string, unknown>; metadata?: { namespace?: string; name?: string } };
      if (r.kind === 'Secret' && object.stringData) object.stringData = { value: live.get(`${object.metadata?.namespace}/${object.metadata?.name}`) ?? '' };
      return JSON.stringify(object);
    });
    writeFileSync(path.join(dir, 'manifests.json'), `{"apiVersion":"v1","kind":"List","items":[${documents.join(',')}]}`);

    provider.client.calls.list = provider.client.calls.dryRun = 0;
    let started = performance.now();
    const plan = await computePlan({ desired, ...context });
    const shipyardMs = performance.now() - started;
    const shipyardCalls = provider.client.calls.list + provider.client.calls.dryRun;
    if (plan.plan.changes.some((c) => c.action !== 'noop')) throw new Error('bench: Shipyard plans changes on a converged cluster');

    started = performance.now();
    try {
      execFileSync('kubectl', ['--kubeconfig', kubeconfigFile(cluster.connectionInfo, 'admin'), 'diff', '--server-side', '--field-manager=shipyard', '--force-conflicts', '-f', path.join(dir, 'manifests.json')], { stdio: 'pipe' });
    } catch (error) {
      if ((error as { status?: number }).status !== 1) throw error; // 1 means "differences found"
    }
    const kubectlMs = performance.now() - started;
    await store.close();
    return [
      { figure: `kubernetes: Shipyard plan of 4 environments (${desired.length} objects, ${shipyardCalls} API calls)`, value: Math.round(shipyardMs), unit: 'ms', bound: Math.round(kubectlMs), goal: 'max' },
      { figure: 'kubernetes: plan time against kubectl diff --server-side on the same manifests', value: Number((shipyardMs / kubectlMs).toFixed(2)), unit: 'x', bound: 1, goal: 'max' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await cluster.stop();
  }
}
