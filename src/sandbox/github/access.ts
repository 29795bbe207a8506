import { BearerAuth, type AuthResult } from '../emulator-kit/bearer-auth.ts';
import { fail, notFound } from './errors.ts';
import { fullName, type Access, type GitHubStore, type Permission, type RepoRecord, type UserRecord } from './store.ts';

/** A GITHUB_TOKEN-style permission map; unlisted permissions are `none`, `metadata` is always readable. */
export type PermissionMap = Partial<Record<Permission, Access>>;
/** `write`/`read`/`none` for every permission at once, or a map. */
export type Grant = Access | PermissionMap;

export interface GitHubTokenSpec {
  readonly token: string;
  /** Default: the first token is `github-actions[bot]` (a Bot, like GITHUB_TOKEN), later ones users. */
  readonly user?: { readonly login?: string; readonly id?: number; readonly type?: 'User' | 'Bot' };
  /** Grant on every repository not listed in `repos`; default `write`. */
  readonly permissions?: Grant;
  /** Per repository ("owner/name", case-insensitive), overriding `permissions`. */
  readonly repos?: Readonly<Record<string, Grant>>;
}

const LEVEL: Record<Access, number> = { none: 0, read: 1, write: 2 };

/**
 * GitHub accepts `Authorization: token X` (what Octokit and @actions/github send) as well as
 * `Bearer X`; the kit's BearerAuth knows only the latter, so translate before checking.
 */
export class GitHubAuth extends BearerAuth {
  override check(authorization: string | undefined): AuthResult {
    const m = /^\s*token\s+(\S+)\s*$/i.exec(authorization ?? '');
    return super.check(m ? `Bearer ${m[1]}` : authorization);
  }
}

interface TokenEntry {
  readonly user: UserRecord;
  readonly fallback: Grant;
  readonly repos: ReadonlyMap<string, Grant>;
}

function levelOf(grant: Grant, permission: Permission): Access {
  if (typeof grant === 'string') return grant;
  if (permission === 'metadata') return grant.metadata === 'write' ? 'write' : 'read';
  return grant[permission] ?? 'none';
}

export class TokenGrants {
  readonly #tokens = new Map<string, TokenEntry>();

  constructor(specs: readonly (string | GitHubTokenSpec)[], store: GitHubStore) {
    specs.forEach((raw, i) => {
      const spec: GitHubTokenSpec = typeof raw === 'string' ? { token: raw } : raw;
      const type = spec.user?.type ?? (i === 0 && spec.user?.login === undefined ? 'Bot' : 'User');
      const login = spec.user?.login ?? (i === 0 ? 'github-actions[bot]' : `shipyard-user-${i + 1}`);
      // github-actions[bot] has a well-known id; keep it so fixtures look like the real thing.
      const id = spec.user?.id ?? (login === 'github-actions[bot]' ? 41898282 : undefined);
      const repos = new Map(Object.entries(spec.repos ?? {}).map(([name, grant]) => [name.toLowerCase(), grant]));
      this.#tokens.set(spec.token, { user: store.user(login, type, id), fallback: spec.permissions ?? 'write', repos });
    });
  }

  tokens(): string[] {
    return [...this.#tokens.keys()];
  }

  find(token: string | undefined): UserRecord | undefined {
    return this.#tokens.get(token ?? '')?.user;
  }

  userOf(token: string | undefined): UserRecord {
    const user = this.find(token);
    if (!user) throw new Error('request reached a handler without a known token');
    return user;
  }

  access(token: string | undefined, repo: RepoRecord, permission: Permission): Access {
    const entry = this.#tokens.get(token ?? '');
    if (!entry) return 'none';
    return levelOf(entry.repos.get(fullName(repo).toLowerCase()) ?? entry.fallback, permission);
  }

  canSee(token: string | undefined, repo: RepoRecord): boolean {
    return this.access(token, repo, 'metadata') !== 'none';
  }

  /**
   * Any one of `accepted` at `level` suffices (GitHub lists alternatives in
   * x-accepted-github-permissions, separated by "; "). Invisible repositories are 404.
   */
  require(token: string | undefined, repo: RepoRecord, accepted: readonly Permission[], level: 'read' | 'write'): void {
    if (!this.canSee(token, repo)) notFound();
    if (accepted.some((p) => LEVEL[this.access(token, repo, p)] >= LEVEL[level])) return;
    const user = this.userOf(token);
    const who = user.type === 'Bot' ? 'integration' : 'personal access token';
    fail(403, `Resource not accessible by ${who}`, {}, { 'x-accepted-github-permissions': accepted.map((p) => `${p}=${level}`).join('; ') });
  }
}
