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
import { baselineSecretAddress, describeSource, kubernetesSecrets } from './kubernetes/secret-rotation.ts';
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
  const out: RotatableSecret[] = [];
  if (!filter.venture) {
    const kube = clientOf<KubeClient>(sources.providers, 'kubernetes');
    out.push(...(kube ? kubernetesSecrets({ client: kube, store, fingerprints, lookup }, doc) : inventoryOnlySecrets(sources, doc)));
  }
  const vercel = clientOf<VercelClient>(sources.providers, 'vercel');
  const supabase = clientOf<SupabaseClient>(sources.providers, 'supabase');
  const byTarget = environmentsByTarget(sources.environments);
  // One redeployer for the whole run: rotations of one project's variables share a redeploy.
  const vercelContext = vercel ? { client: vercel, redeployer: new Redeployer(vercel, sources.progress, 0), store, fingerprints, lookup } : undefined;
  for (const venture of sources.ventures) {
    if (!venture.spec || (filter.venture && venture.metadata.name !== filter.venture)) continue;
    if (vercelContext) out.push(...vercelEnvSecrets(vercelContext, venture, byTarget, environment));
    if (supabase) {
      const consumers = vercelContext ? vercelOutputConsumers(vercelContext, venture, byTarget, environment, 'supabase.secretKey') : [];
      out.push(...supabaseKeySecrets({ client: supabase, fingerprints }, venture, environment, consumers));
    }
  }
  return out;
}

/** Baseline secrets as the state store knows them, when Kubernetes is the sandbox: listed, not rotatable. */
function inventoryOnlySecrets(sources: RotationSources, doc: EnvironmentDoc): RotatableSecret[] {
  return doc.spec!.secrets.map((secret) => {
    const address = baselineSecretAddress(doc, secret.name);
    return {
      address, environment: doc.metadata.name, name: secret.name, source: describeSource(secret.source), ...(secret.rotation ? { rotation: secret.rotation } : {}),
      async inspect(): Promise<LiveSecret> {
        const entry = (await sources.store.listInventory(doc.metadata.name)).find((e) => e.address === address);
        const fingerprint = entry?.fingerprints['/stringData/value']?.slice(0, 24);
        const message = 'rotating baseline secrets needs the Kubernetes provider live: set SHIPYARD_PROVIDERS=kubernetes=live and KUBECONFIG';
        return {
          exists: Boolean(entry), ...(entry ? { since: entry.updatedAt } : {}), ...(fingerprint ? { fingerprint } : {}),
          retire: async () => message, // never called: the inventory knows no previous value
          publish: async () => ({ action: 'missing', message }),
        };
      },
    };
  });
}
