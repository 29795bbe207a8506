/** The Supabase emulator on the real PostgreSQL of the test run, one database per project, with the apps' tables. */
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../src/config/load.ts';
import { applyPlan, type ApplyOutcome } from '../../src/engine/applier.ts';
import { computePlan, type PlanOptions, type PlanResult } from '../../src/engine/planner.ts';
import type { VentureDoc } from '../../src/model/config.ts';
import type { DesiredResource } from '../../src/model/resource.ts';
import type { StateStore } from '../../src/model/state.ts';
import { compileSupabase } from '../../src/providers/supabase/desired.ts';
import type { SupabaseProvider } from '../../src/providers/supabase/provider.ts';
import { Fingerprinter } from '../../src/secrets/fingerprint.ts';
import { secretsFromMap } from '../../src/secrets/sources.ts';
import { openSqliteStore } from '../../src/state/sqlite.ts';
import type { EngineEvent, Reporter } from '../../src/model/events.ts';
import { createSupabaseEmulator, type SupabaseEmulator, type SupabaseEmulatorOptions } from '../../src/sandbox/supabase/emulator.ts';
import { PostgresBackend } from '../../src/sandbox/supabase/postgres-backend.ts';
import { requirePostgres } from '../harness/services.ts';
import { APP_TABLES_SQL, ORG, OTHER_ORG, TOKEN } from './supabase-env.ts';
import { withMigrations } from '../../src/sandbox/app-migrations.ts';

export interface SupabaseWorld {
  emulator: SupabaseEmulator;
  stop(): Promise<void>;
}

let started = 0;

/** `postgresUrl` for callers outside vitest (the benchmark); tests get the run's server. */
/**
 * Supabase counts its 120 requests a minute per project and endpoint; the emulator counts per
 * endpoint for all projects together, so tests with several projects give it `perProjectBudget`
 * (120 × projects) unless they test the limit itself.
 */
export function perProjectBudget(projects: number): { limit: number } {
  return { limit: 120 * projects };
}

export async function startSupabase(options: Partial<SupabaseEmulatorOptions> & { tables?: string; postgresUrl?: string } = {}): Promise<SupabaseWorld> {
  const { tables, postgresUrl, ...rest } = options;
  const conn = { url: postgresUrl ?? requirePostgres().url };
  const n = ++started;
  const prefix = `sy${process.pid}_${n}_`;
  const emulator = createSupabaseEmulator({
    tokens: [TOKEN],
    organizations: [{ slug: ORG, name: 'Acme', plan: 'pro' }, { slug: OTHER_ORG, name: 'Beta Labs' }],
    backend: withMigrations(new PostgresBackend({ url: conn.url, databasePrefix: prefix, poolSize: 3 }), tables ?? APP_TABLES_SQL),
    activationDelayMs: 100,
    seed: (process.pid % 10_000) * 100 + n,
    ...rest,
  });
  await emulator.start();
  return {
    emulator,
    async stop() {
      await emulator.stop();
      const admin = new pg.Client({ connectionString: conn.url });
      await admin.connect();
      try {
        const { rows } = await admin.query<{ datname: string }>('select datname from pg_database where starts_with(datname, $1)', [prefix]);
        for (const { datname } of rows) await admin.query(`drop database if exists "${datname.replaceAll('"', '""')}" with (force)`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** A project made outside Shipyard, through the API, waited for. */
export async function createProjectByHand(emulator: SupabaseEmulator, name: string, org = ORG): Promise<string> {
  const res = await fetch(`${emulator.url}/v1/projects`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, organization_slug: org, db_pass: 'hand-made-password-1', region: 'eu-central-1' }),
  });
  if (res.status !== 201) throw new Error(`creating ${name} by hand: ${res.status} ${await res.text()}`);
  const { ref } = (await res.json()) as { ref: string };
  await emulator.waitUntilActive(ref);
  return ref;
}

export function refOf(emulator: SupabaseEmulator, name: string): string {
  const found = emulator.state.projectsNamed(name);
  if (found.length !== 1) throw new Error(`expected one project named ${name}, found ${found.length}`);
  return found[0]!.ref;
}

/** SQL as the owner on a project's real database (behind Shipyard's back). */
export async function sqlOn(emulator: SupabaseEmulator, name: string, sql: string, parameters?: unknown[]): Promise<Record<string, unknown>[]> {
  const db = await emulator.state.database(refOf(emulator, name));
  return db.query(sql, parameters ? { parameters } : {});
}

export function recordingReporter(): Reporter & { events: EngineEvent[]; progress(address?: string): string[] } {
  const events: EngineEvent[] = [];
  return {
    events,
    emit: (event) => events.push(event),
    progress: (address?: string) => events.flatMap((e) => (e.type === 'progress' && (!address || e.address === address) ? [e.message] : [])),
  };
}

export const repoRoot = path.resolve(new URL('../..', import.meta.url).pathname);

/** A venture of the repository's own config (validated), as a copy to edit. */
export async function repoVenture(name: string): Promise<VentureDoc> {
  const config = await loadConfig(repoRoot);
  const errors = config.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`the repository config is invalid: ${errors[0]!.message}`);
  const found = config.ventures.find((v) => v.doc.metadata.name === name);
  if (!found) throw new Error(`no venture ${name} in ventures/`);
  return structuredClone(found.doc);
}

export function supabaseResources(...docs: VentureDoc[]): DesiredResource[] {
  return docs.flatMap((doc) => compileSupabase(doc, { file: `ventures/${doc.metadata.name}.yaml`, line: () => 1 }));
}

export interface Harness {
  provider: SupabaseProvider;
  store: StateStore;
  reporter: ReturnType<typeof recordingReporter>;
  plan(desired: DesiredResource[], options?: PlanOptions): Promise<PlanResult>;
  apply(desired: DesiredResource[], options?: PlanOptions): Promise<{ plan: PlanResult['plan']; outcome: ApplyOutcome }>;
}

/** The real planner and applier over the provider, with an in-memory state store; give the provider the same reporter. */
export async function harness(provider: SupabaseProvider, options: { secrets?: Record<string, string>; reporter?: ReturnType<typeof recordingReporter> } = {}): Promise<Harness> {
  const store = await openSqliteStore(':memory:');
  const reporter = options.reporter ?? recordingReporter();
  const secrets = options.secrets ?? {};
  const fingerprintKey = 'supabase-test-fingerprint-key';
  const source = secretsFromMap(secrets);
  const fingerprints = new Fingerprinter(fingerprintKey);
  const plan = (desired: DesiredResource[], options: PlanOptions = {}) => computePlan({ desired, providers: [provider], store, secrets: source, fingerprints, reporter, options });
  return {
    provider,
    store,
    reporter,
    plan,
    async apply(desired, options = {}) {
      const result = await plan(desired, options);
      const outcome = await applyPlan({ ...result, store, secrets: source, fingerprints, reporter, actor: 'test', retry: { baseDelayMs: 20 } });
      return { plan: result.plan, outcome };
    },
  };
}

/** Address → action of the changes that do something. */
export function actions(plan: { changes: { address: string; action: string }[] }): Record<string, string> {
  return Object.fromEntries(plan.changes.filter((c) => c.action !== 'noop').map((c) => [c.address, c.action]));
}
