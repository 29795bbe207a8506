/**
 * The Kubernetes provider: every kind Shipyard manages in an environment's namespace, read with
 * one list per kind and namespace, written with server-side apply (field manager `shipyard`),
 * previewed with a server-side dry run so that server defaults never show as changes.
 */
import { parseAddress, type Address } from '../../model/address.ts';
import { KeepExisting, type ApplyOperation, type ApplyResult, type Provider, type ResolvedValue, type ResourceKind } from '../../model/provider.ts';
import type { JsonObject, JsonValue, ObservedResource } from '../../model/resource.ts';
import { isSensitive } from '../../model/sensitive.ts';
import { KubeClient, type KubeObject, type KubeTarget } from './client.ts';

interface KindInfo {
  kind: string;
  apiVersion: string;
  namespaced: boolean;
  replaceOn?: string[];
  sensitivePaths?: string[];
  irreversibleOnDelete?: string;
}

export const kubernetesKinds: KindInfo[] = [
  { kind: 'Namespace', apiVersion: 'v1', namespaced: false, irreversibleOnDelete: 'deletes every object in the namespace, including those Shipyard does not manage' },
  { kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', namespaced: true },
  { kind: 'ResourceQuota', apiVersion: 'v1', namespaced: true },
  { kind: 'LimitRange', apiVersion: 'v1', namespaced: true },
  { kind: 'Role', apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: true },
  // roleRef is immutable: changing it means delete and create.
  { kind: 'RoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: true, replaceOn: ['/roleRef'] },
  { kind: 'ServiceAccount', apiVersion: 'v1', namespaced: true },
  { kind: 'Secret', apiVersion: 'v1', namespaced: true, sensitivePaths: ['/data', '/stringData'], irreversibleOnDelete: 'the secret value is gone unless its source can produce it again' },
];

/** Objects the cluster creates in every namespace: never reported as unmanaged. */
const clusterOwned = new Set(['ServiceAccount/default']);
const PLACEHOLDER = 'shipyard-placeholder';

export function createKubernetesProvider(target: KubeTarget, options: { concurrency?: number } = {}): Provider & { client: KubeClient } {
  const client = new KubeClient(target);
  return {
    name: 'kubernetes',
    concurrency: options.concurrency ?? 8,
    client,
    kinds: kubernetesKinds.map((info) => kindFor(info, client)),
    async ping() {
      await client.list('v1', 'Namespace', undefined);
    },
  };
}

function kindFor(info: KindInfo, client: KubeClient): ResourceKind {
  return {
    kind: info.kind,
    replaceOn: info.replaceOn,
    sensitivePaths: info.sensitivePaths,
    irreversibleOnDelete: info.irreversibleOnDelete,
    async list(namespace) {
      const items = info.namespaced
        ? await client.list(info.apiVersion, info.kind, namespace)
        : (await client.list(info.apiVersion, info.kind)).filter((o) => o.metadata?.name === namespace);
      return items
        .filter((o) => !o.metadata?.deletionTimestamp) // going away: neither desired nor there
        .filter((o) => !clusterOwned.has(`${info.kind}/${o.metadata?.name}`))
        .filter((o) => !(info.kind === 'Secret' && o.type === 'kubernetes.io/service-account-token'))
        .map((o) => observe(info, namespace, o));
    },
    async preview(address, declared, observed) {
      const object = toObject(info, address, declared as SpecLike, observed, { placeholders: true });
      try {
        const result = await client.apply(object, { dryRun: true });
        return observe(info, parseAddress(address).scope, result).state;
      } catch (error) {
        // Objects in a namespace this same plan creates cannot be previewed before it exists.
        if (info.namespaced && /namespaces? "[^"]+" not found/.test((error as Error).message)) return declared;
        throw error;
      }
    },
    async apply(op: ApplyOperation): Promise<ApplyResult> {
      if (op.action === 'delete') {
        await client.delete(toObject(info, op.address, {}, op.observed));
        return {};
      }
      const applied = await client.apply(toObject(info, op.address, op.spec as SpecLike, op.observed));
      return { id: applied.metadata?.uid, state: observe(info, op.scope, applied).state };
    },
  };
}

type SpecLike = { [key: string]: ResolvedValue | JsonValue };

/** The live object in the shape of a desired spec: kind-level identity removed, Secret data decoded. */
function observe(info: KindInfo, namespace: string, object: KubeObject): ObservedResource {
  const name = object.metadata?.name ?? '';
  const { apiVersion: _a, kind: _k, metadata, status: _s, ...rest } = object as KubeObject & { status?: unknown };
  const state: JsonObject = { ...(rest as JsonObject) };
  const meta: JsonObject = {};
  if (metadata?.labels) meta.labels = metadata.labels as JsonObject;
  if (metadata?.annotations) meta.annotations = metadata.annotations as JsonObject;
  if (Object.keys(meta).length > 0) state.metadata = meta;
  if (info.kind === 'Secret' && state.data && typeof state.data === 'object') {
    const decoded: JsonObject = {};
    for (const [key, value] of Object.entries(state.data as Record<string, string>)) decoded[key] = Buffer.from(value, 'base64').toString('utf8');
    state.stringData = decoded;
    delete state.data;
  }
  return { address: `kubernetes/${namespace}/${info.kind}/${name}` as Address, id: object.metadata?.uid, state };
}

/** The full manifest of a desired resource, as `kubectl apply -f` would take it (for comparisons and docs). */
export function manifest(address: Address, spec: SpecLike): KubeObject {
  const { kind } = parseAddress(address);
  const info = kubernetesKinds.find((k) => k.kind === kind);
  if (!info) throw new Error(`${address}: not a Kubernetes kind Shipyard manages`);
  return toObject(info, address, spec, undefined);
}

/** The object to apply: identity from the address, declared fields from the spec, secrets revealed here and only here. */
function toObject(info: KindInfo, address: Address, spec: SpecLike, observed: ObservedResource | undefined, options: { placeholders?: boolean } = {}): KubeObject {
  const { scope, name } = parseAddress(address);
  const objectName = name.join('/');
  const { metadata: declaredMetadata, ...rest } = spec as { metadata?: SpecLike } & SpecLike;
  const body = reveal(rest, observed?.state ?? {}, options.placeholders ?? false) as JsonObject;
  const metadata: JsonObject = { name: objectName, ...(info.namespaced ? { namespace: scope } : {}), ...((reveal(declaredMetadata ?? {}, {}, false) as JsonObject) ?? {}) };
  return { apiVersion: info.apiVersion, kind: info.kind, metadata, ...body } as KubeObject;
}

function reveal(value: ResolvedValue | JsonValue | SpecLike, live: JsonValue, placeholders: boolean): JsonValue {
  if (isSensitive(value)) return value.reveal();
  if (value instanceof KeepExisting) {
    if (typeof live === 'string') return live;
    throw new Error('a generated secret must be kept but its live value cannot be read; rotate it (`shipyard secrets rotate`) to write a new one');
  }
  if (placeholders && value !== null && typeof value === 'object' && !Array.isArray(value) && '$fp' in value) return PLACEHOLDER;
  if (placeholders && value === '(known after apply)') return PLACEHOLDER;
  if (Array.isArray(value)) return value.map((v) => reveal(v, undefined as never, placeholders));
  if (value !== null && typeof value === 'object') {
    const liveObject = live && typeof live === 'object' && !Array.isArray(live) ? (live as JsonObject) : {};
    const out: JsonObject = {};
    for (const [key, child] of Object.entries(value)) out[key] = reveal(child as ResolvedValue, liveObject[key] as JsonValue, placeholders);
    return out;
  }
  return value as JsonValue;
}
