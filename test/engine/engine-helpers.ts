/** A small world for engine tests: an in-memory provider, a sqlite store in memory, canary secrets. */
import { applyPlan } from '../../src/engine/applier.ts';
import { computePlan, type PlanOptions } from '../../src/engine/planner.ts';
import { address, type Address } from '../../src/model/address.ts';
import type { EngineEvent } from '../../src/model/events.ts';
import type { DesiredResource, Spec } from '../../src/model/resource.ts';
import { Sensitive } from '../../src/model/sensitive.ts';
import { MemoryProvider, type MemoryKindOptions } from '../../src/sandbox/memory-provider.ts';
import { Fingerprinter } from '../../src/secrets/fingerprint.ts';
import { secretsFromMap } from '../../src/secrets/sources.ts';
import { openSqliteStore } from '../../src/state/sqlite.ts';

export const CANARY = 'canary-7f3a9c1e-do-not-leak';

export const kinds: MemoryKindOptions[] = [
  { kind: 'db', replaceOn: ['/region'], irreversibleOnDelete: 'deletes all data', outputs: (a) => ({ url: `https://${a.split('/').at(-1)}.db.test`, key: new Sensitive(`key-for-${a}`) }) },
  { kind: 'app', writeOnly: ['/token'] },
  { kind: 'thing' },
];

export async function world(options: { secrets?: Record<string, string>; latencyMs?: number; concurrency?: number } = {}) {
  const provider = new MemoryProvider({ name: 'mem', kinds, latencyMs: options.latencyMs, concurrency: options.concurrency ?? 4 });
  const store = await openSqliteStore(':memory:');
  const secrets = secretsFromMap({ API_TOKEN: CANARY, ...options.secrets });
  const fingerprints = new Fingerprinter('engine-test-fingerprint-key');
  const events: EngineEvent[] = [];
  const reporter = { emit: (e: EngineEvent) => events.push(e) };
  const plan = (desired: DesiredResource[], planOptions: PlanOptions = {}) =>
    computePlan({ desired, providers: [provider], store, secrets, fingerprints, reporter, options: planOptions });
  const apply = async (desired: DesiredResource[], planOptions: PlanOptions = {}) => {
    const result = await plan(desired, planOptions);
    const outcome = await applyPlan({ ...result, store, secrets, fingerprints, reporter, actor: 'test', retry: { baseDelayMs: 1 } });
    return { plan: result.plan, outcome };
  };
  return { provider, store, secrets, fingerprints, events, plan, apply };
}

export function resource(kind: string, name: string, spec: Spec, extra: Partial<DesiredResource> = {}): DesiredResource {
  const env = extra.environment ?? 'dev';
  return { address: address('mem', env, kind, name), provider: 'mem', kind, scope: env, environment: env, spec, dependsOn: [], ...extra };
}

export const at = (kind: string, name: string, env = 'dev'): Address => address('mem', env, kind, name);
