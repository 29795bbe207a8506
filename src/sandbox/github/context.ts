import { ReplyError, type EmulatorReply } from '../emulator-kit/reply.ts';
import type { EmulatorRequest, EmulatorServer } from '../emulator-kit/server.ts';
import type { TokenGrants } from './access.ts';
import { DOCS_ROOT, fail, notFound, withDocs } from './errors.ts';
import { CORE_BUCKET, type SecondaryLimit } from './rate-limits.ts';
import type { Urls } from './render-repo.ts';
import type { Clock, IdSource } from './sequence.ts';
import type { GitHubStore, Permission, RepoRecord, UserRecord } from './store.ts';

/** What every route module needs; built once by the emulator. */
export interface GitHubContext {
  readonly store: GitHubStore;
  readonly ids: IdSource;
  readonly clock: Clock;
  readonly grants: TokenGrants;
  readonly secondary: SecondaryLimit;
  urls(): Urls;
}

export interface RepoOperation {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Starts with /repos/{owner}/{repo}. */
  readonly template: string;
  /** Path under https://docs.github.com/rest/ that error bodies point at. */
  readonly docs: string;
  /** Any one of these permissions at `level` suffices. */
  readonly needs: readonly Permission[];
  readonly level: 'read' | 'write';
  /** Writes allowed on an archived repository (only unarchiving it). */
  readonly allowArchived?: boolean;
}

export interface RepoCall {
  readonly req: EmulatorRequest;
  readonly repo: RepoRecord;
  /** The user or bot behind the token. */
  readonly user: UserRecord;
}

/**
 * Registers an operation on a repository: 404 for a repository the token cannot see, 403 for
 * a missing permission, and for writes the archived check and the secondary limit. All share
 * one primary rate-limit bucket per token (`core`), as on GitHub.
 */
export function repoOperation(server: EmulatorServer, ctx: GitHubContext, op: RepoOperation, handler: (call: RepoCall) => EmulatorReply): void {
  const docs = `${DOCS_ROOT}/${op.docs}`;
  server.route(
    op.method,
    op.template,
    (req) => {
      try {
        const repo = ctx.store.repo(req.params['owner'] ?? '', req.params['repo'] ?? '') ?? notFound();
        ctx.grants.require(req.token, repo, op.needs, op.level);
        if (op.level === 'write') {
          if (repo.archived && !op.allowArchived) fail(403, 'Repository was archived so is read-only.');
          ctx.secondary.check(req.token ?? 'anonymous');
        }
        return handler({ req, repo, user: ctx.grants.userOf(req.token) });
      } catch (err) {
        if (err instanceof ReplyError) return withDocs(err.reply, docs);
        throw err;
      }
    },
    { rateLimitKey: CORE_BUCKET },
  );
}

/** Integer path parameter; anything else cannot name an object, so it is not found. */
export function intParam(req: EmulatorRequest, name: string): number {
  const raw = req.params[name] ?? '';
  if (!/^\d+$/.test(raw)) notFound();
  return Number(raw);
}

export function created(body: unknown, location: string, headers: Record<string, string> = {}): EmulatorReply {
  return { status: 201, body, headers: { location, ...headers } };
}
