/**
 * Every secret of one environment that `shipyard secrets` can list and rotate, from the
 * configuration and the providers that are live: the environment's baseline Kubernetes
 * Secrets, the ventures' rotated Vercel variables, and their Supabase secret keys (handed on to
 * the Vercel variables that use them). A provider in sandbox mode still lists what the state
 * store knows, but cannot rotate.
 */
import type { Address } from '../model/address.ts';
import type { EnvironmentDoc, VentureDoc } from '../model/config.ts';
import type { Provider } from '../model/provider.ts';
import type { Sensitive } from '../model/sensitive.ts';
import type { StateStore } from '../model/state.ts';
import type { Fingerprinter } from '../secrets/fingerprint.ts';
import type { LiveSecret, RotatableSecret } from '../secrets/rotation.ts';
import type { KubeClient } from './kubernetes/client.ts';
import { kubernetesSecrets } from './kubernetes/secret-rotation.ts';
import { supabaseKeySecrets } from './supabase/key-rotation.ts';
import type { SupabaseClient } from './supabase/client.ts';
import { environmentsByTarget } from './vercel/env-example.ts';
import { vercelEnvSecrets, vercelOutputConsumers } from './vercel/env-rotation.ts';
import type { VercelClient } from './vercel/client.ts';
import { Redeployer } from './vercel/redeploy.ts';

export interface RotationSources {
  environments: EnvironmentDoc[];
  ventures: VentureDoc[];
  providers: Provider[];
  store: StateStore;
  fingerprints: Fingerprinter;
  lookup(name: string): Sensitive<string> | undefined;
  /** Redeploy notes and failures, for people. */
  progress(address: Address, message: string): void;
}

/** A live provider exposes its API client; the sandbox's in-memory providers do not. */
function clientOf<T>(providers: Provider[], name: string): T | undefined {
  return (providers.find((p) => p.name === name) as { client?: T } | undefined)?.client;
}

export function rotatableSecrets(sources: RotationSources, environment: string, filter: { venture?: string } = {}): RotatableSecret[] {
  const { store, fingerprints, lookup } = sources;
  const doc = sources.environments.find((e) => e.metadata.name === environment && e.spec);
  if (!doc) return [];
  // Without a live client a provider's secrets are only described; they are listed from the state store.
  const liveOr = (live: boolean, secrets: RotatableSecret[], provider: string, valuePath?: string) =>
    (live ? secrets : secrets.map(({ inspect: _, ...s }) => notLive(sources, s, provider, valuePath)));
  const out: RotatableSecret[] = [];
  if (!filter.venture) {
    const kube = clientOf<KubeClient>(sources.providers, 'kubernetes');
    out.push(...liveOr(Boolean(kube), kubernetesSecrets(kube ? { client: kube, store, fingerprints, lookup } : undefined, doc), 'kubernetes', '/stringData/value'));
  }
  const vercel = clientOf<VercelClient>(sources.providers, 'vercel');
  const supabase = clientOf<SupabaseClient>(sources.providers, 'supabase');
  const byTarget = environmentsByTarget(sources.environments);
  // One redeployer for the whole run: rotations of one project's variables share a redeploy.
  const vercelContext = vercel ? { client: vercel, redeployer: new Redeployer(vercel, sources.progress, 0), store, fingerprints, lookup } : undefined;
  for (const venture of sources.ventures) {
    if (!venture.spec || (filter.venture && venture.metadata.name !== filter.venture)) continue;
    out.push(...liveOr(Boolean(vercelContext), vercelEnvSecrets(vercelContext, venture, byTarget, environment), 'vercel', '/value'));
    const consumers = vercelContext ? vercelOutputConsumers(vercelContext, venture, byTarget, environment, 'supabase.secretKey') : [];
    out.push(...liveOr(Boolean(supabase), supabaseKeySecrets(supabase ? { client: supabase, fingerprints } : undefined, venture, environment, consumers), 'supabase'));
  }
  return out;
}

/**
 * A secret whose provider runs in sandbox mode: listed from what the state store knows (the
 * inventory entry's fingerprint at `valuePath`), never rotated.
 */
function notLive(sources: RotationSources, secret: Omit<RotatableSecret, 'inspect'>, provider: string, valuePath?: string): RotatableSecret {
  const message = `rotating it needs the ${provider} provider live (SHIPYARD_PROVIDERS=${provider}=live and its credentials)`;
  return {
    ...secret,
    async inspect(): Promise<LiveSecret> {
      const entry = valuePath ? (await sources.store.listInventory(secret.environment)).find((e) => e.address === secret.address) : undefined;
      const fingerprint = valuePath ? entry?.fingerprints[valuePath]?.slice(0, 24) : undefined;
      return {
        exists: Boolean(entry) || !valuePath, ...(entry ? { since: entry.updatedAt } : {}), ...(fingerprint ? { fingerprint } : {}),
        retire: async () => message, // never called: nothing here knows a previous value
        publish: async () => ({ action: 'missing', message }),
      };
    },
  };
}
