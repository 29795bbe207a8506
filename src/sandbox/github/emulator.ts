import type { AuthFailure } from '../emulator-kit/bearer-auth.ts';
import { FixedWindowRateLimiter } from '../emulator-kit/rate-limit.ts';
import type { EmulatorReply } from '../emulator-kit/reply.ts';
import { EmulatorServer } from '../emulator-kit/server.ts';
import { GitHubAuth, TokenGrants, type GitHubTokenSpec } from './access.ts';
import { registerCheckRoutes } from './checks.ts';
import { registerCommentRoutes } from './comments.ts';
import type { GitHubContext } from './context.ts';
import { errorBody } from './errors.ts';
import { registerGitRoutes } from './git.ts';
import { registerIssueRoutes } from './issues.ts';
import { registerPullRoutes } from './pulls.ts';
import { CORE_BUCKET, PrimaryLimit, rateLimitHeaders, SecondaryLimit } from './rate-limits.ts';
import { registerRepoRoutes } from './repos.ts';
import { createRepoRecord, GitHubRepoHandle, type RepoSeed } from './seed.ts';
import { Clock, IdSource } from './sequence.ts';
import { GitHubStore } from './store.ts';
import { HostedEmulator } from '../emulator-kit/hosted.ts';

export interface GitHubEmulatorOptions {
  /** The first token is `github-actions[bot]` unless its spec names a user. */
  readonly tokens: readonly (string | GitHubTokenSpec)[];
  /** Repositories that exist from the start ("owner/name" or a seed). */
  readonly repos?: readonly (string | RepoSeed)[];
  /** Content-creating requests (POST/PATCH/PUT/DELETE) per minute per token; default 80, as on GitHub. */
  readonly secondaryLimitPerMinute?: number;
  /** GitHub answers a secondary limit with 403 or 429; default 403. */
  readonly secondaryLimitStatus?: 403 | 429;
  /** Primary budget per token; default 5,000 per hour. */
  readonly rateLimit?: { readonly limit?: number; readonly windowMs?: number };
  /** Base of web URLs in bodies (html_url); default https://github.com. */
  readonly htmlUrl?: string;
  readonly now?: () => number;
  /** Seeds ids, SHAs and probabilistic faults, so runs repeat exactly. */
  readonly seed?: number;
}

/** Unauthenticated callers share a small budget, as on GitHub (60 per hour). */
const ANONYMOUS_LIMIT = 60;

export class GitHubEmulator extends HostedEmulator {
  readonly server: EmulatorServer;
  /** Primary limit: one `core` window per token. `setPolicy` to shrink it in a test. */
  readonly rateLimiter: FixedWindowRateLimiter;
  /** Secondary limit on content-creating requests. */
  readonly secondaryLimiter: FixedWindowRateLimiter;
  readonly #ctx: GitHubContext;
  readonly #auth: GitHubAuth;

  constructor(options: GitHubEmulatorOptions) {
    super();
    if (options.tokens.length === 0) throw new Error('createGitHubEmulator: at least one token is required');
    const seed = options.seed ?? 1;
    const ids = new IdSource(`github-emulator:${seed}`);
    const clock = new Clock(options.now);
    const store = new GitHubStore(() => ids.next('user'));
    const grants = new TokenGrants(options.tokens, store);
    const describe = (subject: string) => {
      const user = grants.find(subject);
      if (!user) return 'this IP';
      return user.type === 'Bot' ? `installation ID ${user.id}` : `user ID ${user.id}`;
    };
    const primary = new PrimaryLimit(options.rateLimit?.limit ?? 5000, options.rateLimit?.windowMs ?? 3_600_000, clock.now, describe);
    const secondary = new SecondaryLimit(options.secondaryLimitPerMinute ?? 80, clock.now, options.secondaryLimitStatus ?? 403);
    this.rateLimiter = primary.limiter;
    this.secondaryLimiter = secondary.limiter;

    const anonymous = new FixedWindowRateLimiter({ limit: ANONYMOUS_LIMIT, windowMs: 3_600_000, now: clock.now });
    this.#auth = new GitHubAuth({ tokens: grants.tokens(), reject: (failure) => authReply(failure, rateLimitHeaders(anonymous.hit('anonymous', CORE_BUCKET), CORE_BUCKET)) });
    const htmlUrl = (options.htmlUrl ?? 'https://github.com').replace(/\/$/, '');
    this.server = new EmulatorServer({
      name: 'github',
      errorBody: (status, code, message) => errorBody(status, kitMessage(code, message)),
      auth: this.#auth,
      rateLimit: { limiter: primary.limiter, render: primary.render },
      faultSeed: seed,
    });
    this.#ctx = { store, ids, clock, grants, secondary, urls: () => ({ api: this.server.url, html: htmlUrl }) };

    registerRepoRoutes(this.server, this.#ctx, primary);
    registerIssueRoutes(this.server, this.#ctx);
    registerCommentRoutes(this.server, this.#ctx);
    registerPullRoutes(this.server, this.#ctx);
    registerCheckRoutes(this.server, this.#ctx);
    registerGitRoutes(this.server, this.#ctx);
    for (const r of options.repos ?? []) this.createRepo(r);
  }

  /** Later requests with this token get 401 "Bad credentials" (a revoked or expired token). */
  revokeToken(token: string): void {
    this.#auth.revoke(token);
  }

  setSecondaryLimit(perMinute: number): void {
    this.secondaryLimiter.setPolicy({ limit: perMinute, windowMs: 60_000 });
  }

  createRepo(seed: string | RepoSeed): GitHubRepoHandle {
    return new GitHubRepoHandle(this.#ctx, createRepoRecord(this.#ctx, typeof seed === 'string' ? { fullName: seed } : seed));
  }

  /** Hooks and state of an existing repository. */
  repo(fullName: string): GitHubRepoHandle {
    const [owner = '', name = ''] = fullName.split('/');
    const record = this.#ctx.store.repo(owner, name);
    if (!record) throw new Error(`no repository ${fullName}`);
    return new GitHubRepoHandle(this.#ctx, record);
  }

  repos(): string[] {
    return this.#ctx.store.repos().map((r) => `${r.owner.login}/${r.name}`);
  }
}

export function createGitHubEmulator(options: GitHubEmulatorOptions): GitHubEmulator {
  return new GitHubEmulator(options);
}

function authReply(failure: AuthFailure, headers: Record<string, string>): EmulatorReply {
  const message = failure === 'missing' ? 'Requires authentication' : 'Bad credentials';
  return { status: 401, body: errorBody(401, message), headers };
}

/** The kit's own errors (unknown path, bad JSON, injected faults), in GitHub's words. */
function kitMessage(code: string, message: string): string {
  if (code === 'not_found' || code === 'method_not_allowed') return 'Not Found';
  if (code === 'bad_request') return 'Problems parsing JSON';
  if (code === 'bad_gateway') return 'Server Error';
  return message;
}
