/**
 * Everything a plan or apply needs, wired from the environment: the validated config, the
 * providers (the built-in sandbox unless real credentials are configured), the state store,
 * runner secrets and the fingerprint key.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { hasErrors, loadConfig, type LoadedConfig } from '../config/load.ts';
import type { SecretSource } from '../engine/resolve.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import type { EngineEvent, Reporter } from '../model/events.ts';
import type { Provider } from '../model/provider.ts';
import { Sensitive } from '../model/sensitive.ts';
import type { StateStore } from '../model/state.ts';
import { compileDesiredState, type RepositorySources } from '../providers/desired-state.ts';
import { KubeClient } from '../providers/kubernetes/client.ts';
import { createKubernetesProvider } from '../providers/kubernetes/provider.ts';
import { openKubernetesStore } from '../providers/kubernetes/state-store.ts';
import { createSupabaseProvider } from '../providers/supabase/provider.ts';
import { redeployAddresses } from '../providers/vercel/desired.ts';
import { environmentsByTarget } from '../providers/vercel/env-example.ts';
import { createVercelProvider } from '../providers/vercel/provider.ts';
import { openSandbox } from '../sandbox/sandbox.ts';
import { Fingerprinter } from '../secrets/fingerprint.ts';
import { processRedactor } from '../secrets/redact.ts';
import { secretsFromEnv } from '../secrets/sources.ts';
import { openPostgresStore } from '../state/postgres.ts';
import { openSqliteStore } from '../state/sqlite.ts';
import type { CommandIO } from './args.ts';

export interface Workspace extends RepositorySources {
  revision?: string;
  actor: string;
  mode: 'sandbox' | 'live';
  close(): Promise<void>;
}

export type WorkspaceResult = { ok: true; workspace: Workspace } | { ok: false; diagnostics: Diagnostic[] };

export async function openWorkspace(io: CommandIO, root: string): Promise<WorkspaceResult> {
  const config = await loadConfig(root);
  if (hasErrors(config.diagnostics)) return { ok: false, diagnostics: config.diagnostics };
  const env = io.env;
  const stateDir = path.join(root, '.shipyard');
  const modes = providerModes(env.SHIPYARD_PROVIDERS);
  const mode = Object.values(modes).every((m) => m === 'sandbox') ? 'sandbox' : 'live';
  const sandbox = openSandbox(env.SHIPYARD_SANDBOX_DIR ?? path.join(stateDir, 'sandbox'), { latencyMs: Number(env.SHIPYARD_SANDBOX_LATENCY_MS ?? 0) });
  const providers: Provider[] = sandbox.providers.map((p) => (modes[p.name] === 'live' ? liveProvider(p.name, env, config) : p));
  const fromEnv = secretsFromEnv(env);
  // Stand-ins for unset runner secrets only where nothing real is written: all-sandbox, or an
  // explicit opt-in for emulators (the main job, tests). Live, an unset secret is a plan error.
  const standIns = mode === 'sandbox' || env.SHIPYARD_SANDBOX_SECRETS === '1';
  const secrets: SecretSource = {
    lookup(name) {
      const found = fromEnv.lookup(name);
      if (found || !standIns) return found;
      const standIn = sandbox.secret(name);
      processRedactor.add(standIn);
      return new Sensitive(standIn);
    },
  };
  const store = await openStore(env.SHIPYARD_STATE, stateDir, env);
  return {
    ok: true,
    workspace: {
      root, config, desired: compileDesiredState(config), providers, store, secrets,
      fingerprints: new Fingerprinter(fingerprintKey(env, stateDir), previousFingerprintKey(env)),
      revision: env.GITHUB_SHA ?? gitHead(root), actor: env.GITHUB_ACTOR ?? env.USER ?? 'shipyard', mode,
      close: () => store.close(),
    },
  };
}

const providerNames = ['kubernetes', 'vercel', 'supabase'];

/** `sandbox` (default), `live`, or per provider: `kubernetes=live,vercel=sandbox`. Never a silent fallback. */
function providerModes(setting: string | undefined): Record<string, 'live' | 'sandbox'> {
  const modes: Record<string, 'live' | 'sandbox'> = Object.fromEntries(providerNames.map((n) => [n, 'sandbox']));
  const text = (setting ?? 'sandbox').trim();
  if (text === 'sandbox' || text === 'live') return Object.fromEntries(providerNames.map((n) => [n, text]));
  for (const part of text.split(',')) {
    const [name, value] = part.split('=').map((s) => s.trim());
    if (!name || !providerNames.includes(name) || (value !== 'live' && value !== 'sandbox')) {
      throw new Error(`SHIPYARD_PROVIDERS: expected sandbox, live, or NAME=live|sandbox for ${providerNames.join(', ')} (got ${JSON.stringify(part)})`);
    }
    modes[name] = value;
  }
  return modes;
}

function liveProvider(name: string, env: NodeJS.ProcessEnv, config: LoadedConfig): Provider {
  if (name === 'kubernetes') {
    const kubeconfig = env.SHIPYARD_KUBECONFIG ?? env.KUBECONFIG;
    if (!kubeconfig) throw new Error('kubernetes=live needs a cluster: set KUBECONFIG (and SHIPYARD_KUBE_CONTEXT to pick a context)');
    return createKubernetesProvider({ kubeconfig, ...(env.SHIPYARD_KUBE_CONTEXT ? { context: env.SHIPYARD_KUBE_CONTEXT } : {}) });
  }
  if (name === 'vercel') {
    if (!env.VERCEL_TOKEN) throw new Error('vercel=live needs VERCEL_TOKEN (and VERCEL_TEAM_ID for a team)');
    const byTarget = environmentsByTarget(config.environments.map((e) => e.doc));
    return createVercelProvider({
      token: env.VERCEL_TOKEN,
      ...(env.VERCEL_TEAM_ID ? { teamId: env.VERCEL_TEAM_ID } : {}),
      ...(env.VERCEL_API_URL ? { serverURL: env.VERCEL_API_URL } : {}),
      redeploy: config.ventures.flatMap((v) => (v.doc.spec ? redeployAddresses(v.doc, byTarget) : [])),
    });
  }
  if (name === 'supabase') {
    if (!env.SUPABASE_ACCESS_TOKEN) throw new Error('supabase=live needs SUPABASE_ACCESS_TOKEN (and SUPABASE_API_URL for anything but api.supabase.com)');
    return createSupabaseProvider({
      token: env.SUPABASE_ACCESS_TOKEN,
      ...(env.SUPABASE_API_URL ? { apiUrl: env.SUPABASE_API_URL } : {}),
      ...(env.SUPABASE_ORGANIZATION ? { organization: env.SUPABASE_ORGANIZATION } : {}),
      // Where a project's data API lives, when not at https://<ref>.supabase.co (an emulator).
      ...(env.SUPABASE_PROJECT_URL ? { projectUrl: (ref: string) => env.SUPABASE_PROJECT_URL!.replace('{ref}', ref), pollIntervalMs: 50 } : {}),
    });
  }
  throw new Error(`${name}=live is not available in this version; use ${name}=sandbox`);
}

async function openStore(setting: string | undefined, stateDir: string, env: NodeJS.ProcessEnv): Promise<StateStore> {
  if (!setting) return openSqliteStore(path.join(stateDir, 'state.db'));
  if (setting.startsWith('postgres://') || setting.startsWith('postgresql://')) return openPostgresStore(setting);
  if (setting.startsWith('sqlite:')) return openSqliteStore(setting.slice('sqlite:'.length));
  if (setting === 'kubernetes' || setting.startsWith('kubernetes:')) {
    const kubeconfig = env.SHIPYARD_KUBECONFIG ?? env.KUBECONFIG;
    if (!kubeconfig) throw new Error('SHIPYARD_STATE=kubernetes needs a cluster: set KUBECONFIG');
    const namespace = setting.slice('kubernetes:'.length) || undefined;
    return openKubernetesStore(new KubeClient({ kubeconfig, ...(env.SHIPYARD_KUBE_CONTEXT ? { context: env.SHIPYARD_KUBE_CONTEXT } : {}) }), { namespace });
  }
  throw new Error(`SHIPYARD_STATE must be sqlite:PATH, a postgres:// URL or kubernetes[:NAMESPACE] (got ${processRedactor.scrub(setting)})`);
}

/** The operator's key in CI; in the sandbox a local one, created once with mode 600. */
/** The key being retired while fingerprints are re-stamped (docs: recovery guide). */
function previousFingerprintKey(env: NodeJS.ProcessEnv): string | undefined {
  if (!env.SHIPYARD_FINGERPRINT_KEY_PREVIOUS) return undefined;
  processRedactor.add(env.SHIPYARD_FINGERPRINT_KEY_PREVIOUS);
  return env.SHIPYARD_FINGERPRINT_KEY_PREVIOUS;
}

function fingerprintKey(env: NodeJS.ProcessEnv, stateDir: string): string {
  if (env.SHIPYARD_FINGERPRINT_KEY) {
    processRedactor.add(env.SHIPYARD_FINGERPRINT_KEY);
    return env.SHIPYARD_FINGERPRINT_KEY;
  }
  const file = path.join(stateDir, 'fingerprint.key');
  if (!existsSync(file)) {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

function gitHead(root: string): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/** Progress on stderr for people; quiet for JSON output. Every message is scrubbed. */
export function cliReporter(io: CommandIO, quiet: boolean): Reporter {
  return {
    emit(event: EngineEvent) {
      if (quiet) return;
      const line = describeEvent(event);
      if (line) io.stderr(`${processRedactor.scrub(line)}\n`);
    },
  };
}

function describeEvent(event: EngineEvent): string | undefined {
  switch (event.type) {
    case 'read.failed':
      return `! read ${event.provider} ${event.kind} in ${event.scope} failed: ${event.error}`;
    case 'lock.acquired':
      return `  locked ${event.environment}`;
    case 'step.succeeded':
      return `  ✓ ${event.action} ${event.address} (${event.durationMs} ms)`;
    case 'step.failed':
      return `  ✗ ${event.action} ${event.address}: ${event.error}`;
    case 'step.skipped':
      return `  - skipped ${event.address}: ${event.because} did not succeed`;
    case 'step.retrying':
      return `  … retry ${event.address} in ${event.delayMs} ms (attempt ${event.attempt}): ${event.error}`;
    case 'progress':
      return `  … ${event.address}: ${event.message}`;
    default:
      return undefined;
  }
}
