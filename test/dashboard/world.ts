/**
 * A world for the dashboard tests: the repo's config in a temp dir, the GitHub emulator holding
 * the same files on `main`, the Vercel emulator behind the real Vercel provider, the sandbox's
 * Kubernetes and Supabase providers (with latency, so an apply takes long enough to watch), a
 * SQLite state store, dnsmasq, runner secrets that all carry a canary, and the dashboard itself.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type LoadedConfig } from '../../src/config/load.ts';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.ts';
import { engineEvents, type EngineEventBus } from '../../src/dashboard/journal-feed.ts';
import { applyPlan, type ApplyOutcome } from '../../src/engine/applier.ts';
import { computePlan } from '../../src/engine/planner.ts';
import type { Reporter } from '../../src/model/events.ts';
import type { Provider } from '../../src/model/provider.ts';
import type { StateStore } from '../../src/model/state.ts';
import { compileDesiredState, type DesiredState } from '../../src/providers/desired-state.ts';
import { redeployAddresses } from '../../src/providers/vercel/desired.ts';
import { environmentsByTarget } from '../../src/providers/vercel/env-example.ts';
import { createVercelProvider } from '../../src/providers/vercel/provider.ts';
import { createGitHubEmulator, type GitHubEmulator } from '../../src/sandbox/github/emulator.ts';
import { openSandbox } from '../../src/sandbox/sandbox.ts';
import { createVercelEmulator, type VercelEmulator } from '../../src/sandbox/vercel/emulator.ts';
import { Fingerprinter } from '../../src/secrets/fingerprint.ts';
import { secretsFromMap } from '../../src/secrets/sources.ts';
import { openSqliteStore } from '../../src/state/sqlite.ts';
import { startDnsmasq, type Dnsmasq } from '../harness/dnsmasq.ts';

export const repoRoot = new URL('../../', import.meta.url).pathname;
export const CANARY = 'canary-dashboard-7f3a91-do-not-leak';
export const GITHUB_TOKEN = 'ghs_dashboardbot000000000000000000000000';
export const VERCEL_TOKEN = 'vct_dashboard_token_0c4e2a77';
export const TEAM = 'team_acme';
export const REPO = 'acme/infra';

export class DashboardWorld {
  readonly root: string;
  readonly github: GitHubEmulator;
  readonly vercel: VercelEmulator;
  readonly dns: Dnsmasq;
  readonly providers: Provider[];
  readonly store: StateStore;
  readonly config: LoadedConfig;
  readonly desired: DesiredState;
  readonly runnerSecrets: Record<string, string>;
  readonly bus: EngineEventBus;
  readonly dashboard: Dashboard;
  readonly mainSha: string;
  readonly #fingerprints: Fingerprinter;

  private constructor(parts: {
    root: string; github: GitHubEmulator; vercel: VercelEmulator; dns: Dnsmasq; providers: Provider[]; store: StateStore; config: LoadedConfig;
    desired: DesiredState; runnerSecrets: Record<string, string>; bus: EngineEventBus; dashboard: Dashboard; mainSha: string; fingerprints: Fingerprinter;
  }) {
    this.root = parts.root;
    this.github = parts.github;
    this.vercel = parts.vercel;
    this.dns = parts.dns;
    this.providers = parts.providers;
    this.store = parts.store;
    this.config = parts.config;
    this.desired = parts.desired;
    this.runnerSecrets = parts.runnerSecrets;
    this.bus = parts.bus;
    this.dashboard = parts.dashboard;
    this.mainSha = parts.mainSha;
    this.#fingerprints = parts.fingerprints;
  }

  static async create(options: { latencyMs?: number } = {}): Promise<DashboardWorld> {
    const root = mkdtempSync(path.join(tmpdir(), 'shipyard-dashboard-'));
    const files: Record<string, string> = {};
    for (const folder of ['environments', 'ventures', 'schemas']) {
      cpSync(path.join(repoRoot, folder), path.join(root, folder), { recursive: true });
      if (folder === 'schemas') continue;
      for (const name of readdirSync(path.join(root, folder))) files[`${folder}/${name}`] = readFileSync(path.join(root, folder, name), 'utf8');
    }
    const github = createGitHubEmulator({ tokens: [GITHUB_TOKEN], repos: [{ fullName: REPO, files: { 'README.md': '# infra\n', ...files } }], secondaryLimitPerMinute: 10_000 });
    await github.start();
    const vercel = createVercelEmulator({ tokens: [VERCEL_TOKEN], teams: [{ id: TEAM, slug: 'acme' }] });
    await vercel.start();
    const dns = await startDnsmasq({ zones: ['acmenotes.com', 'tinylanding.test'] });

    const config = await loadConfig(root);
    const errors = config.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) throw new Error(`the copied config is invalid: ${errors[0]!.message}`);
    const desired = compileDesiredState(config);
    const sandboxDir = path.join(root, '.shipyard', 'sandbox');
    mkdirSync(sandboxDir, { recursive: true });
    const sandbox = openSandbox(sandboxDir, { latencyMs: options.latencyMs ?? 0 });
    const byTarget = environmentsByTarget(config.environments.map((e) => e.doc));
    // Few retries and short timeouts: a stopped emulator must show as failing within seconds.
    const vercelProvider = createVercelProvider({
      token: VERCEL_TOKEN, teamId: TEAM, serverURL: vercel.url, maxRetries: 1, baseDelayMs: 10, timeoutMs: 3000, redeploySettleMs: 10,
      redeploy: config.ventures.flatMap((v) => redeployAddresses(v.doc, byTarget)),
    });
    const providers: Provider[] = [sandbox.providers.find((p) => p.name === 'kubernetes')!, vercelProvider, sandbox.providers.find((p) => p.name === 'supabase')!];
    const store = await openSqliteStore(path.join(root, '.shipyard', 'state.db'));

    // Every runner secret the config references carries the canary.
    const names = new Set<string>();
    for (const text of Object.values(files)) for (const m of text.matchAll(/secretRef: (\w+)/g)) names.add(m[1]!);
    const runnerSecrets = Object.fromEntries([...names].map((name) => [name, name === 'ACME_STRIPE_SECRET_KEY' ? `sk_live_${CANARY}` : `${CANARY}-${name}`]));
    const secrets = secretsFromMap(runnerSecrets);
    const fingerprints = new Fingerprinter('dashboard-test-fingerprint-key-0123456789');
    const bus = engineEvents();
    const mainSha = github.repo(REPO).branch('main')!;

    const dashboard = await startDashboard({
      sources: { root, config, desired, providers, store, secrets, fingerprints },
      github: { token: GITHUB_TOKEN, apiUrl: github.url, owner: 'acme', repo: 'infra', baseBranch: 'main' },
      resolverServers: [dns.server],
      events: bus,
      pollMs: 150,
      probeTimeoutMs: 4000,
    });
    return new DashboardWorld({ root, github, vercel, dns, providers, store, config, desired, runnerSecrets, bus, dashboard, mainSha, fingerprints });
  }

  /**
   * Plans and applies the whole config through the real engine, as `shipyard apply` would.
   * `hold`: the write of this address waits for `until`, so a test can look at a running apply.
   */
  async apply(options: { reporter?: Reporter; hold?: { address: string; until: Promise<void> } } = {}): Promise<ApplyOutcome> {
    const base = { store: this.store, secrets: secretsFromMap(this.runnerSecrets), fingerprints: this.#fingerprints, reporter: options.reporter ?? this.bus };
    const hold = options.hold;
    const providers = hold ? this.providers.map((p): Provider => ({
      ...p, name: p.name, concurrency: p.concurrency,
      kinds: p.kinds.map((k) => ({ ...k, apply: async (op) => {
        if (op.address === hold.address) await hold.until;
        return k.apply(op);
      } })),
    })) : this.providers;
    const result = await computePlan({
      ...base, desired: this.desired.resources, providers,
      options: { revision: this.mainSha, tombstones: this.desired.tombstones, protectedEnvironments: this.desired.protectedEnvironments },
    });
    const errors = result.plan.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) throw new Error(`the plan has errors: ${errors.map((d) => d.message).join('; ')}`);
    return applyPlan({ ...result, ...base, actor: 'dev@acme.test', retry: { baseDelayMs: 10 } });
  }

  /**
   * Every secret value this world holds: runner secrets, and what the apply wrote to Vercel
   * (generated values and Supabase keys), literals excepted since they are in git anyway.
   */
  secretValues(): string[] {
    const values = new Set(Object.values(this.runnerSecrets));
    for (const project of this.vercel.state.projects(TEAM)) {
      for (const env of project.envs) {
        const declared = this.config.ventures.flatMap((v) => v.doc.spec?.vercel?.env ?? []).find((e) => e.key === env.key);
        if (declared && 'literal' in declared.value) continue;
        if (typeof env.value === 'string' && env.value.length >= 8) values.add(env.value);
      }
    }
    values.add(CANARY);
    return [...values];
  }

  async close(): Promise<void> {
    await this.dashboard.stop();
    await Promise.allSettled([this.github.stop(), this.vercel.stop(), this.dns.stop()]);
    await this.store.close();
    rmSync(this.root, { recursive: true, force: true });
  }
}
