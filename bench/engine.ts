/**
 * Plan and apply of 1,000 ventures x 3 environments on the in-memory provider with 20 ms of
 * latency per call. Compared with the critical-path bound: no schedule can beat the longer of
 * (the dependency chain x latency) and (each provider's calls x latency / its concurrency).
 */
import { applyPlan } from '../src/engine/applier.ts';
import { criticalPathLength } from '../src/engine/graph.ts';
import { computePlan } from '../src/engine/planner.ts';
import { address, type Address } from '../src/model/address.ts';
import { silentReporter } from '../src/model/events.ts';
import type { DesiredResource } from '../src/model/resource.ts';
import { Sensitive } from '../src/model/sensitive.ts';
import { MemoryProvider } from '../src/sandbox/memory-provider.ts';
import { Fingerprinter } from '../src/secrets/fingerprint.ts';
import { secretsFromMap } from '../src/secrets/sources.ts';
import { openSqliteStore } from '../src/state/sqlite.ts';
import type { BenchRow } from './table.ts';

const LATENCY_MS = 20;
const CONCURRENCY = 32;
const environments = ['development', 'staging', 'production'];

function desiredFor(ventures: number): DesiredResource[] {
  const out: DesiredResource[] = [];
  for (let v = 0; v < ventures; v++) {
    const venture = `venture-${v}`;
    for (const environment of environments) {
      const project = `${venture}-${environment}`;
      const db = address('db', project, 'project', project);
      out.push({ address: db, provider: 'db', kind: 'project', scope: project, environment, venture, spec: { region: 'eu-central-1', plan: 'pro' }, dependsOn: [] });
      for (const key of ['URL', 'KEY']) {
        out.push({
          address: address('web', venture, 'env', environment, key), provider: 'web', kind: 'env', scope: venture, environment, venture,
          spec: { key, value: { $output: { address: db, name: key === 'URL' ? 'url' : 'key', sensitive: key === 'KEY' } } }, dependsOn: [db],
        });
      }
    }
  }
  return out;
}

export async function benchEngine(): Promise<BenchRow[]> {
  const ventures = 1000;
  const db = new MemoryProvider({ name: 'db', concurrency: CONCURRENCY, latencyMs: LATENCY_MS, kinds: [{ kind: 'project', outputs: (a) => ({ url: `https://${a}`, key: new Sensitive(`key-${a}`) }) }] });
  const web = new MemoryProvider({ name: 'web', concurrency: CONCURRENCY, latencyMs: LATENCY_MS, kinds: [{ kind: 'env', writeOnly: (state) => (String(state.key) === 'KEY' ? ['/value'] : []) }] });
  const store = await openSqliteStore(':memory:');
  const fingerprints = new Fingerprinter('benchmark-fingerprint-key');
  const secrets = secretsFromMap({});
  const desired = desiredFor(ventures);
  const context = { providers: [db, web], store, secrets, fingerprints, reporter: silentReporter };

  let started = performance.now();
  const first = await computePlan({ desired, ...context });
  const planMs = performance.now() - started;
  const minimumReads = new Set(desired.map((r) => `${r.provider}/${r.kind}/${r.scope}`)).size;
  const reads = db.calls.list + web.calls.list;
  const planBound = Math.ceil(db.calls.list / CONCURRENCY) * LATENCY_MS; // reads of one provider in parallel waves

  started = performance.now();
  const outcome = await applyPlan({ ...first, ...context, actor: 'bench' });
  const applyMs = performance.now() - started;
  if (outcome.status !== 'done') throw new Error(`bench apply failed: ${outcome.failed[0]?.error}`);
  const chain = criticalPathLength(new Map(desired.map((r) => [r.address, r.dependsOn as Address[]])));
  const applyBound = Math.max(chain * LATENCY_MS, (db.calls.create / CONCURRENCY) * LATENCY_MS, (web.calls.create / CONCURRENCY) * LATENCY_MS);

  db.resetCounters();
  web.resetCounters();
  const second = await computePlan({ desired, ...context });
  const secondApply = await applyPlan({ ...second, ...context, actor: 'bench' });
  await store.close();
  return [
    { figure: `plan: wall time, ${desired.length} resources (${ventures} ventures x 3 envs, 20 ms/call)`, value: Math.round(planMs), unit: 'ms', bound: Math.round(planBound * 1.5), goal: 'max' },
    { figure: 'plan: read calls against the minimum (one per kind and scope)', value: reads / minimumReads, unit: 'x', bound: 1.1, goal: 'max' },
    { figure: `apply: wall time against the critical-path bound (${Math.round(applyBound)} ms)`, value: Number((applyMs / applyBound).toFixed(2)), unit: 'x', bound: 1.5, goal: 'max' },
    { figure: 'second plan: changes after a successful apply', value: second.plan.changes.filter((c) => c.action !== 'noop').length, unit: 'changes', bound: 0.0001, goal: 'max' },
    { figure: 'second apply: write calls', value: secondApply.writeCalls, unit: 'calls', bound: 0.0001, goal: 'max' },
  ];
}
