/**
 * The only file that imports @kubernetes/client-node. A thin adapter: server-side apply with
 * our field manager, dry-run, list per kind and namespace, delete, and errors mapped to the
 * engine's (429/5xx/connection resets are transient; 404 on a list is an empty list).
 */
import { ApiException, KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { TransientError } from '../../model/provider.ts';

export const FIELD_MANAGER = 'shipyard';

export type KubeTarget =
  | { kubeconfig: string; context?: string }
  | { server: string; token: string; caData?: string; insecureSkipTLSVerify?: boolean };

export interface KubeObject extends KubernetesObject {
  [key: string]: unknown;
}

export class KubeClient {
  readonly #api: KubernetesObjectApi;
  readonly config: KubeConfig;
  /** Calls made, by verb (the benchmark compares them with kubectl). */
  readonly calls = { list: 0, apply: 0, dryRun: 0, delete: 0, read: 0 };

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
    this.#api = KubernetesObjectApi.makeApiClient(this.config);
  }

  async list(apiVersion: string, kind: string, namespace?: string): Promise<KubeObject[]> {
    this.calls.list++;
    try {
      const result = await this.#api.list<KubeObject>(apiVersion, kind, namespace);
      return result.items.map((item) => ({ ...item, apiVersion, kind }));
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return [];
      throw mapError(error, `list ${kind} in ${namespace ?? 'the cluster'}`);
    }
  }

  async read(object: KubeObject): Promise<KubeObject | undefined> {
    this.calls.read++;
    try {
      return (await this.#api.read(object as never)) as KubeObject;
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return undefined;
      throw mapError(error, `read ${object.kind} ${object.metadata?.name}`);
    }
  }

  /** Server-side apply: only the fields we send are ours; force takes them from other managers. */
  async apply(object: KubeObject, options: { dryRun?: boolean } = {}): Promise<KubeObject> {
    if (options.dryRun) this.calls.dryRun++;
    else this.calls.apply++;
    try {
      return (await this.#api.patch(object, undefined, options.dryRun ? 'All' : undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply)) as KubeObject;
    } catch (error) {
      throw mapError(error, `${options.dryRun ? 'dry-run apply' : 'apply'} ${object.kind} ${object.metadata?.name}`);
    }
  }

  async delete(object: KubeObject): Promise<void> {
    this.calls.delete++;
    try {
      await this.#api.delete(object, undefined, undefined, undefined, undefined, 'Background');
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return;
      throw mapError(error, `delete ${object.kind} ${object.metadata?.name}`);
    }
  }
}

/** The apiserver's Status message says what was refused and why; keep that, drop the rest. */
export function mapError(error: unknown, doing: string): Error {
  if (error instanceof ApiException) {
    const message = statusMessage(error.body) ?? error.message.split('\n')[0];
    const text = `${doing}: ${error.code} ${message}`;
    if (error.code === 429 || error.code >= 500) return new TransientError(text, retryAfterMs(error.headers));
    return new Error(text);
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'ETIMEDOUT') return new TransientError(`${doing}: ${code}`);
  return new Error(`${doing}: ${(error as Error).message}`);
}

function statusMessage(body: unknown): string | undefined {
  try {
    const parsed = typeof body === 'string' ? (JSON.parse(body) as { message?: string }) : (body as { message?: string });
    return parsed?.message;
  } catch {
    return undefined;
  }
}

function retryAfterMs(headers: Record<string, string> | undefined): number | undefined {
  const value = headers?.['retry-after'];
  return value && /^\d+$/.test(value) ? Number(value) * 1000 : undefined;
}
