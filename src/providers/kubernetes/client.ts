/**
 * The only file that imports @kubernetes/client-node, and only for what it does best: loading
 * credentials (kubeconfig, contexts, tokens, exec plugins). Requests are plain JSON over HTTPS:
 * the library's typed serializer silently drops fields whose TypeScript name differs from the
 * wire name (a NetworkPolicy's `from` is `_from` there), which turned "allow from the same
 * namespace" into "allow from everywhere". Raw JSON sends exactly what we declare.
 */
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { TransientError } from '../../model/provider.ts';

export const FIELD_MANAGER = 'shipyard';

export type KubeTarget =
  | { kubeconfig: string; context?: string }
  | { server: string; token: string; caData?: string; insecureSkipTLSVerify?: boolean };

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string>; deletionTimestamp?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** REST paths of the kinds Shipyard uses: group/version and plural. */
const resources: Record<string, { plural: string; namespaced: boolean }> = {
  Namespace: { plural: 'namespaces', namespaced: false },
  NetworkPolicy: { plural: 'networkpolicies', namespaced: true },
  ResourceQuota: { plural: 'resourcequotas', namespaced: true },
  LimitRange: { plural: 'limitranges', namespaced: true },
  Role: { plural: 'roles', namespaced: true },
  RoleBinding: { plural: 'rolebindings', namespaced: true },
  ServiceAccount: { plural: 'serviceaccounts', namespaced: true },
  Secret: { plural: 'secrets', namespaced: true },
  ConfigMap: { plural: 'configmaps', namespaced: true },
  Lease: { plural: 'leases', namespaced: true },
  Deployment: { plural: 'deployments', namespaced: true },
  Service: { plural: 'services', namespaced: true },
  Pod: { plural: 'pods', namespaced: true },
  Job: { plural: 'jobs', namespaced: true },
};

export class KubeApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'KubeApiError';
    this.status = status;
  }
}

export class KubeClient {
  readonly config: KubeConfig;
  /** Calls made, by verb (the benchmark compares them with kubectl). */
  readonly calls = { list: 0, apply: 0, dryRun: 0, delete: 0, read: 0, other: 0 };

  constructor(target: KubeTarget) {
    this.config = new KubeConfig();
    if ('kubeconfig' in target) {
      this.config.loadFromFile(target.kubeconfig);
      if (target.context) this.config.setCurrentContext(target.context);
    } else {
      this.config.loadFromClusterAndUser(
        { name: 'shipyard', server: target.server, caData: target.caData, skipTLSVerify: target.insecureSkipTLSVerify ?? false },
        { name: 'shipyard', token: target.token },
      );
    }
  }

  get server(): string {
    return this.config.getCurrentCluster()?.server ?? '';
  }

  async list(apiVersion: string, kind: string, namespace?: string, options: { labelSelector?: string } = {}): Promise<KubeObject[]> {
    this.calls.list++;
    const query = options.labelSelector ? `?labelSelector=${encodeURIComponent(options.labelSelector)}` : '';
    try {
      const result = await this.request<{ items: KubeObject[] }>('GET', `${collectionPath(apiVersion, kind, namespace)}${query}`);
      return result.items.map((item) => ({ ...item, apiVersion, kind }));
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return [];
      throw mapError(error, `list ${kind} in ${namespace ?? 'the cluster'}`);
    }
  }

  async read(object: KubeObject): Promise<KubeObject | undefined> {
    this.calls.read++;
    try {
      return await this.request<KubeObject>('GET', objectPath(object));
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return undefined;
      throw mapError(error, `read ${object.kind} ${object.metadata?.name}`);
    }
  }

  /** Server-side apply: only the fields we send are ours; force takes them from other managers. */
  async apply(object: KubeObject, options: { dryRun?: boolean; fieldManager?: string } = {}): Promise<KubeObject> {
    if (options.dryRun) this.calls.dryRun++;
    else this.calls.apply++;
    const query = `?fieldManager=${options.fieldManager ?? FIELD_MANAGER}&force=true${options.dryRun ? '&dryRun=All' : ''}`;
    try {
      return await this.request<KubeObject>('PATCH', `${objectPath(object)}${query}`, object, 'application/apply-patch+yaml');
    } catch (error) {
      throw mapError(error, `${options.dryRun ? 'dry-run apply' : 'apply'} ${object.kind} ${object.metadata?.name}`);
    }
  }

  /** Create or replace with optimistic concurrency (resourceVersion), for the state backend. */
  async write(method: 'POST' | 'PUT', object: KubeObject): Promise<KubeObject> {
    this.calls.other++;
    const path = method === 'POST' ? collectionPath(object.apiVersion, object.kind, object.metadata?.namespace) : objectPath(object);
    return this.request<KubeObject>(method, path, object);
  }

  async delete(object: KubeObject, options: { resourceVersion?: string } = {}): Promise<void> {
    this.calls.delete++;
    const body = { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background', ...(options.resourceVersion ? { preconditions: { resourceVersion: options.resourceVersion } } : {}) };
    try {
      await this.request('DELETE', objectPath(object), body);
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return;
      throw mapError(error, `delete ${object.kind} ${object.metadata?.name}`);
    }
  }

  async request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const url = new URL(path, this.server.endsWith('/') ? this.server : `${this.server}/`);
    const options: RequestOptions = { method, headers: { accept: 'application/json' } };
    await this.config.applyToHTTPSOptions(options);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    if (payload) options.headers = { ...options.headers, 'content-type': contentType, 'content-length': payload.length };
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise<T>((resolve, reject) => {
      const req = send(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            resolve((text ? JSON.parse(text) : {}) as T);
            return;
          }
          const error = new KubeApiError(status, statusMessage(text) ?? `HTTP ${status}`);
          (error as KubeApiError & { retryAfter?: string }).retryAfter = res.headers['retry-after'] as string | undefined;
          reject(error);
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.setTimeout(60_000, () => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
      if (payload) req.write(payload);
      req.end();
    });
  }
}

export function collectionPath(apiVersion: string, kind: string, namespace?: string): string {
  const resource = resources[kind];
  if (!resource) throw new Error(`unknown kind ${kind}`);
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return resource.namespaced && namespace ? `${base}/namespaces/${namespace}/${resource.plural}` : `${base}/${resource.plural}`;
}

function objectPath(object: KubeObject): string {
  return `${collectionPath(object.apiVersion, object.kind, object.metadata?.namespace)}/${encodeURIComponent(object.metadata?.name ?? '')}`;
}

/** The apiserver's Status message says what was refused and why; keep that, drop the rest. */
export function mapError(error: unknown, doing: string): Error {
  if (error instanceof KubeApiError) {
    const text = `${doing}: ${error.status} ${error.message}`;
    if (error.status === 429 || error.status >= 500) {
      const retryAfter = (error as KubeApiError & { retryAfter?: string }).retryAfter;
      return new TransientError(text, retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : undefined);
    }
    return new KubeApiError(error.status, text);
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'ETIMEDOUT') return new TransientError(`${doing}: ${code}`);
  return new Error(`${doing}: ${(error as Error).message}`);
}

function statusMessage(text: string): string | undefined {
  try {
    return (JSON.parse(text) as { message?: string }).message;
  } catch {
    return text.slice(0, 200) || undefined;
  }
}
