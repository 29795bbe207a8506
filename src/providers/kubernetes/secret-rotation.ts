/**
 * The baseline Secrets of an environment as rotatable secrets (src/secrets/rotation.ts):
 * the current value is the `value` key; during the grace period the old one stays readable as
 * `previous`. `previous` and its deadline are written by a second field manager,
 * `shipyard-rotation`, so ordinary applies (manager `shipyard`, which only declares `value`)
 * never remove it early.
 */
import { address, type Address } from '../../model/address.ts';
import type { BaselineSecret, EnvironmentDoc } from '../../model/config.ts';
import type { Sensitive } from '../../model/sensitive.ts';
import type { InventoryEntry, StateStore } from '../../model/state.ts';
import { describeSecretSource, nextSecretValue, type Fingerprinter } from '../../secrets/fingerprint.ts';
import { processRedactor } from '../../secrets/redact.ts';
import type { LiveSecret, PublishOutcome, RotatableSecret } from '../../secrets/rotation.ts';
import type { KubeClient, KubeObject } from './client.ts';

export const ROTATION_MANAGER = 'shipyard-rotation';
const VALUE_PATH = '/stringData/value';

export interface KubernetesRotationContext {
  client: KubeClient;
  store: StateStore;
  fingerprints: Fingerprinter;
  lookup(name: string): Sensitive<string> | undefined;
}

type SecretObject = KubeObject & { data?: Record<string, string> };

const annotationsOf = (object: SecretObject | undefined) => object?.metadata?.annotations ?? {};
const decode = (value: string | undefined) => (value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8'));

function baselineSecretAddress(doc: EnvironmentDoc, name: string): Address {
  return address('kubernetes', doc.spec!.namespace.name, 'Secret', name);
}

/** One rotatable secret per baseline Secret the environment declares. Without a context (Kubernetes in sandbox mode) they are only described: inspect fails. */
export function kubernetesSecrets(context: KubernetesRotationContext | undefined, doc: EnvironmentDoc): RotatableSecret[] {
  return doc.spec!.secrets.map((secret) => ({
    address: baselineSecretAddress(doc, secret.name),
    environment: doc.metadata.name,
    name: secret.name,
    source: describeSecretSource(secret.source),
    ...(secret.rotation ? { rotation: secret.rotation } : {}),
    inspect: () => (context ? inspect(context, doc, secret) : Promise.reject(new Error('the Kubernetes provider is not live'))),
  }));
}

async function inspect(context: KubernetesRotationContext, doc: EnvironmentDoc, secret: BaselineSecret): Promise<LiveSecret> {
  const namespace = doc.spec!.namespace.name;
  const at = baselineSecretAddress(doc, secret.name);
  const object = (await context.client.read({ apiVersion: 'v1', kind: 'Secret', metadata: { name: secret.name, namespace } })) as SecretObject | undefined;
  const annotations = annotationsOf(object);
  const entry = (await context.store.listInventory(doc.metadata.name)).find((e) => e.address === at);
  const since = annotations['shipyard.dev/rotated-at'] ?? (object?.metadata?.creationTimestamp as string | undefined);
  const fingerprint = entry?.fingerprints[VALUE_PATH]?.slice(0, 24);
  return {
    exists: Boolean(object),
    ...(since ? { since } : {}),
    ...(annotations['shipyard.dev/previous-until'] ? { previousUntil: annotations['shipyard.dev/previous-until'] } : {}),
    ...(fingerprint ? { fingerprint } : {}),
    async retire(now) {
      // Keep when it was rotated (the next rotation counts from it); drop the previous value and its deadline.
      await writeRotationFields(context.client, namespace, secret.name, { value: decode(object?.data?.value) ?? '', at: annotations['shipyard.dev/rotated-at'] ?? now.toISOString() });
      return `the previous value stopped working (grace period ended ${annotations['shipyard.dev/previous-until']})`;
    },
    async publish({ now, until, revoke }): Promise<PublishOutcome> {
      const old = decode(object?.data?.value);
      const next = nextSecretValue(secret.source, context.lookup);
      if (!next) return { action: 'missing', message: `the runner secret ${'secretRef' in secret.source ? secret.source.secretRef : ''} is not set` };
      processRedactor.add(next.reveal());
      if (old !== undefined && next.reveal() === old) {
        return { action: 'not-due', message: `the runner secret ${'secretRef' in secret.source ? secret.source.secretRef : ''} still holds the current value: update it at the source first, then rotate` };
      }
      // One write carries the new value and the old one beside it: no moment where the value a consumer holds is unreadable.
      await writeRotationFields(context.client, namespace, secret.name, {
        value: next.reveal(), at: now.toISOString(),
        ...(!revoke && old !== undefined ? { previous: old, until: until.toISOString() } : {}),
      });
      if (entry) await context.store.putInventory([{ ...entry, fingerprints: { ...entry.fingerprints, [VALUE_PATH]: context.fingerprints.of(next) }, updatedAt: now.toISOString() } satisfies InventoryEntry]);
      return revoke
        ? { action: 'revoked', message: `the old value stopped working now: ${secret.description} Every consumer still holding it fails until it reads the new value (restart the workloads that mount ${secret.name}).` }
        : { action: 'rotated', message: `new value published; the previous one keeps working until ${until.toISOString()}` };
    },
  };
}

/**
 * The rotation manager's view of the Secret: the current value, the previous one while it
 * works, and the rotation annotations. It always sends the current value, so server-side apply
 * only ever removes what rotation added (never the value), and never touches the fields that
 * ordinary applies own (labels, declared annotations).
 */
async function writeRotationFields(client: KubeClient, namespace: string, name: string, fields: { value: string; previous?: string; until?: string; at: string }): Promise<void> {
  const encode = (text: string) => Buffer.from(text).toString('base64');
  await client.apply({
    apiVersion: 'v1', kind: 'Secret',
    metadata: { name, namespace, annotations: { 'shipyard.dev/rotated-at': fields.at, ...(fields.until ? { 'shipyard.dev/previous-until': fields.until } : {}) } },
    data: { value: encode(fields.value), ...(fields.previous !== undefined ? { previous: encode(fields.previous) } : {}) },
  }, { fieldManager: ROTATION_MANAGER });
}
