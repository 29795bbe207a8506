/** Shared by the Vercel provider tests: the emulator (driven through the real SDK) and the repo's own config. */
import path from 'node:path';
import { loadConfig, type LoadedConfig } from '../../src/config/load.ts';
import type { Address } from '../../src/model/address.ts';
import type { VentureDoc } from '../../src/model/config.ts';
import type { EngineEvent, Reporter } from '../../src/model/events.ts';
import type { DesiredResource } from '../../src/model/resource.ts';
import { Sensitive } from '../../src/model/sensitive.ts';
import { compileDesiredState } from '../../src/providers/desired-state.ts';
import { createVercelProvider, type VercelProviderOptions } from '../../src/providers/vercel/provider.ts';
import { MemoryProvider } from '../../src/sandbox/memory-provider.ts';
import { createVercelEmulator, type VercelEmulator, type VercelEmulatorOptions } from '../../src/sandbox/vercel/emulator.ts';

export const TOKEN = 'vct_test_token_5d1f0c2b9e7a4b33';
export const TEAM = 'team_acme';
export const repoRoot = path.resolve(new URL('../..', import.meta.url).pathname);

export async function startEmulator(options: Partial<VercelEmulatorOptions> = {}): Promise<VercelEmulator> {
  const emulator = createVercelEmulator({ tokens: [TOKEN], teams: [{ id: TEAM, slug: 'acme' }], ...options });
  await emulator.start();
  return emulator;
}

export function vercelProvider(emulator: VercelEmulator, options: Partial<VercelProviderOptions> = {}) {
  return createVercelProvider({ token: TOKEN, teamId: TEAM, serverURL: emulator.url, baseDelayMs: 10, ...options });
}

/**
 * Stand-in for the Supabase provider: only the projects, whose outputs (URL, keys, pooler URL)
 * the Vercel env vars consume. It creates them like the sandbox does, so outputs flow through
 * the real planner and applier.
 */
export function supabaseStub(): MemoryProvider {
  return new MemoryProvider({
    name: 'supabase',
    kinds: [{
      kind: 'project',
      outputs: (_address, id) => {
        const ref = id.replaceAll('-', '').slice(0, 20);
        return {
          url: `https://${ref}.supabase.co`,
          anonKey: `sb_publishable_${ref}`,
          publishableKey: `sb_publishable_${ref}`,
          serviceRoleKey: new Sensitive(`sb_secret_service_${ref}`),
          secretKey: new Sensitive(`sb_secret_${ref}`),
          databaseUrl: new Sensitive(`postgresql://postgres.${ref}:pw-${ref}@pooler.supabase.test:6543/postgres`),
        };
      },
    }],
  });
}

export async function repoConfig(): Promise<LoadedConfig> {
  const config = await loadConfig(repoRoot);
  const errors = config.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`the repository config is invalid: ${errors[0]!.message}`);
  return config;
}

/** The repo's own desired state for one venture: its Vercel resources and the Supabase projects they consume. */
export async function ventureResources(venture: string): Promise<DesiredResource[]> {
  const state = compileDesiredState(await repoConfig());
  return state.resources.filter((r) => r.venture === venture && (r.provider === 'vercel' || (r.provider === 'supabase' && r.kind === 'project')));
}

export async function ventureDoc(name: string): Promise<VentureDoc> {
  const found = (await repoConfig()).ventures.find((v) => v.doc.metadata.name === name);
  if (!found) throw new Error(`no venture ${name} in ventures/`);
  return structuredClone(found.doc);
}

export function recordingReporter(): Reporter & { events: EngineEvent[]; progress(address?: Address): string[] } {
  const events: EngineEvent[] = [];
  return {
    events,
    emit: (event) => events.push(event),
    progress: (address) => events.flatMap((e) => (e.type === 'progress' && (!address || e.address === address) ? [e.message] : [])),
  };
}
