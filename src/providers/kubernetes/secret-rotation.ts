/**
 * Rotation of the baseline Secrets without interruption, in two phases:
 *  1. publish: the new value becomes `value` and the old one stays readable as `previous`
 *     until the grace period ends, so a consumer holding either keeps working;
 *  2. retire: after the grace period, `previous` is removed.
 * `previous` and its deadline are written by a second field manager, `shipyard-rotation`,
 * so ordinary applies (manager `shipyard`, which only declares `value`) never remove it early.
 * Revoking skips the grace period: the old value stops working at once.
 */
import type { BaselineSecret, EnvironmentDoc } from '../../model/config.ts';
import type { Sensitive } from '../../model/sensitive.ts';
import type { InventoryEntry, StateStore } from '../../model/state.ts';
import { generateSecret, type Fingerprinter } from '../../secrets/fingerprint.ts';
import { processRedactor } from '../../secrets/redact.ts';
import type { KubeClient, KubeObject } from './client.ts';

export const ROTATION_MANAGER = 'shipyard-rotation';
const VALUE_PATH = '/stringData/value';

export interface SecretStatus {
  environment: string;
  name: string;
  address: string;
  source: string;
  /** When the current value was written (rotation or creation). */
  since?: string;
  /** When the next rotation is due, from the declared period. */
  nextRotation?: string;
  /** While a previous value still works. */
  previousUntil?: string;
  fingerprint?: string;
  exists: boolean;
}

export interface RotationResult {
  address: string;
  action: 'rotated' | 'retired' | 'revoked' | 'not-due' | 'missing';
  message: string;
}

export function parseDuration(text: string): number {
  const match = /^(\d+)(m|h|d)$/.exec(text);
  if (!match) throw new Error(`invalid duration ${text}`);
  return Number(match[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'm' | 'h' | 'd'];
}

interface Context {
  client: KubeClient;
  store: StateStore;
  fingerprints: Fingerprinter;
  lookup(name: string): Sensitive<string> | undefined;
  now?: () => Date;
}

type SecretObject = KubeObject & { data?: Record<string, string> };

const annotationsOf = (object: SecretObject | undefined) => object?.metadata?.annotations ?? {};
const decode = (value: string | undefined) => (value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8'));

async function readSecret(client: KubeClient, namespace: string, name: string): Promise<SecretObject | undefined> {
  return (await client.read({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace } })) as SecretObject | undefined;
}

export async function secretStatuses(client: KubeClient, store: StateStore, doc: EnvironmentDoc): Promise<SecretStatus[]> {
  const namespace = doc.spec!.namespace.name;
  const inventory = new Map<string, InventoryEntry>((await store.listInventory(doc.metadata.name)).map((e) => [e.address, e]));
  const live = new Map((await client.list('v1', 'Secret', namespace)).map((s) => [s.metadata?.name ?? '', s as SecretObject]));
  return doc.spec!.secrets.map((secret) => {
    const address = `kubernetes/${namespace}/Secret/${secret.name}`;
    const object = live.get(secret.name);
    const annotations = annotationsOf(object);
    const since = annotations['shipyard.dev/rotated-at'] ?? (object?.metadata?.creationTimestamp as string | undefined);
    return {
      environment: doc.metadata.name,
      name: secret.name,
      address,
      source: 'secretRef' in secret.source ? `runner secret ${secret.source.secretRef}` : `generated (${secret.source.generate.length ?? 48} ${secret.source.generate.alphabet ?? 'base64url'})`,
      ...(since ? { since } : {}),
      ...(since && secret.rotation ? { nextRotation: new Date(new Date(since).getTime() + parseDuration(secret.rotation.every)).toISOString() } : {}),
      ...(annotations['shipyard.dev/previous-until'] ? { previousUntil: annotations['shipyard.dev/previous-until'] } : {}),
      ...(inventory.get(address)?.fingerprints[VALUE_PATH] ? { fingerprint: inventory.get(address)!.fingerprints[VALUE_PATH]!.slice(0, 24) } : {}),
      exists: Boolean(object),
    };
  });
}

/** Phase 2 for every secret whose grace period is over; then phase 1 for what is due (or named). */
export async function rotateSecrets(context: Context, doc: EnvironmentDoc, options: { names?: string[]; due?: boolean; revoke?: boolean }): Promise<RotationResult[]> {
  const now = (context.now ?? (() => new Date()))();
  const namespace = doc.spec!.namespace.name;
  const results: RotationResult[] = [];
  for (const secret of doc.spec!.secrets) {
    const address = `kubernetes/${namespace}/Secret/${secret.name}`;
    const object = await readSecret(context.client, namespace, secret.name);
    if (!object) {
      results.push({ address, action: 'missing', message: 'not created yet: run `shipyard secrets bootstrap` (or apply) first' });
      continue;
    }
    const until = annotationsOf(object)['shipyard.dev/previous-until'];
    if (until && new Date(until) <= now) {
      // Keep when it was rotated (the next rotation counts from it); drop the previous value and its deadline.
      await writeRotationFields(context.client, namespace, secret.name, { value: decode(object.data?.value) ?? '', at: annotationsOf(object)['shipyard.dev/rotated-at'] ?? now.toISOString() });
      results.push({ address, action: 'retired', message: `the previous value stopped working (grace period ended ${until})` });
    }
    const named = options.names?.includes(secret.name) ?? false;
    const status = (await secretStatuses(context.client, context.store, { ...doc, spec: { ...doc.spec!, secrets: [secret] } }))[0]!;
    const due = options.due && status.nextRotation !== undefined && new Date(status.nextRotation) <= now;
    if (!named && !due) {
      if (options.due || options.names) results.push({ address, action: 'not-due', message: status.nextRotation ? `next rotation ${status.nextRotation}` : 'no rotation period declared' });
      continue;
    }
    results.push(await publish(context, doc, secret, object, now, options.revoke ?? false));
  }
  return results;
}

async function publish(context: Context, doc: EnvironmentDoc, secret: BaselineSecret, object: SecretObject, now: Date, revoke: boolean): Promise<RotationResult> {
  const namespace = doc.spec!.namespace.name;
  const address = `kubernetes/${namespace}/Secret/${secret.name}`;
  const old = decode(object.data?.value);
  const next = 'secretRef' in secret.source ? context.lookup(secret.source.secretRef) : generateSecret({ length: secret.source.generate.length ?? 48, alphabet: secret.source.generate.alphabet ?? 'base64url' });
  if (!next) return { address, action: 'missing', message: `the runner secret ${'secretRef' in secret.source ? secret.source.secretRef : ''} is not set` };
  processRedactor.add(next.reveal());
  if (old !== undefined && next.reveal() === old) {
    return { address, action: 'not-due', message: `the runner secret ${'secretRef' in secret.source ? secret.source.secretRef : ''} still holds the current value: update it at the source first, then rotate` };
  }
  const grace = parseDuration(secret.rotation?.grace ?? '7d');
  // One write carries the new value and the old one beside it: no moment where the value a consumer holds is unreadable.
  await writeRotationFields(context.client, namespace, secret.name, {
    value: next.reveal(), at: now.toISOString(),
    ...(!revoke && old !== undefined ? { previous: old, until: new Date(now.getTime() + grace).toISOString() } : {}),
  });
  const entry = (await context.store.listInventory(doc.metadata.name)).find((e) => e.address === address);
  if (entry) await context.store.putInventory([{ ...entry, fingerprints: { ...entry.fingerprints, [VALUE_PATH]: context.fingerprints.of(next) }, updatedAt: now.toISOString() } satisfies InventoryEntry]);
  return revoke
    ? { address, action: 'revoked', message: `the old value stopped working now: ${secret.description} Every consumer still holding it fails until it reads the new value (restart the workloads that mount ${secret.name}).` }
    : { address, action: 'rotated', message: `new value published; the previous one keeps working until ${new Date(now.getTime() + grace).toISOString()}` };
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
