import type { EmulatorServer } from '../emulator-kit/server.ts';
import { repoOperation, type GitHubContext } from './context.ts';
import { fail, validationFailed } from './errors.ts';
import { bodyObject, optBoolean, optEnum, optNullableString, optString } from './input.ts';
import { openIssueCount } from './issues.ts';
import { CORE_BUCKET, type PrimaryLimit } from './rate-limits.ts';
import { renderRepo } from './render-repo.ts';
import { fullName, type RepoRecord, type RepoSettings } from './store.ts';

// The repository itself (get, settings, archive, delete) and GET /rate_limit.

const FLAGS: Record<string, keyof RepoSettings> = {
  has_issues: 'hasIssues',
  has_projects: 'hasProjects',
  has_wiki: 'hasWiki',
  has_discussions: 'hasDiscussions',
  allow_squash_merge: 'allowSquashMerge',
  allow_merge_commit: 'allowMergeCommit',
  allow_rebase_merge: 'allowRebaseMerge',
  allow_auto_merge: 'allowAutoMerge',
  delete_branch_on_merge: 'deleteBranchOnMerge',
};

export function registerRepoRoutes(server: EmulatorServer, ctx: GitHubContext, primary: PrimaryLimit): void {
  const template = '/repos/{owner}/{repo}';
  const json = (repo: RepoRecord, token: string | undefined) => {
    const can = (p: Parameters<typeof ctx.grants.access>[2]) => ctx.grants.access(token, repo, p);
    return {
      ...renderRepo(ctx.urls(), repo, 'full', openIssueCount(repo)),
      // What this token may do, as GitHub reports it to the caller.
      permissions: {
        admin: can('administration') === 'write',
        maintain: can('administration') === 'write',
        push: can('contents') === 'write',
        triage: can('issues') === 'write' || can('pull_requests') === 'write',
        pull: can('contents') !== 'none' || can('metadata') !== 'none',
      },
    };
  };

  repoOperation(server, ctx, { method: 'GET', template, docs: 'repos/repos#get-a-repository', needs: ['metadata'], level: 'read' }, ({ req, repo }) => {
    return { status: 200, body: json(repo, req.token) };
  });

  repoOperation(
    server,
    ctx,
    { method: 'PATCH', template, docs: 'repos/repos#update-a-repository', needs: ['administration'], level: 'write', allowArchived: true },
    ({ req, repo }) => {
      const o = bodyObject(req.body);
      const archived = optBoolean(o, 'archived');
      if (repo.archived && archived !== false) fail(403, 'Repository was archived so is read-only.');
      const name = optString(o, 'name');
      const description = optNullableString(o, 'description');
      const homepage = optNullableString(o, 'homepage');
      const isPrivate = optBoolean(o, 'private');
      const visibility = optEnum(o, 'visibility', ['public', 'private'] as const);
      const defaultBranch = optString(o, 'default_branch');
      const flags = Object.entries(FLAGS).map(([key, field]) => [field, optBoolean(o, key)] as const);
      if (defaultBranch !== undefined && !repo.branches.has(defaultBranch)) {
        validationFailed({ resource: 'Repository', field: 'default_branch', code: 'invalid' });
      }
      if (name !== undefined && name !== repo.name) {
        const clash = ctx.store.repo(repo.owner.login, name);
        if (clash && clash !== repo) validationFailed({ resource: 'Repository', field: 'name', code: 'custom', message: 'name already exists on this account' });
        const previous = fullName(repo);
        repo.name = name;
        ctx.store.rekey(repo, previous);
      }
      if (description !== undefined) repo.description = description;
      if (homepage !== undefined) repo.homepage = homepage;
      if (isPrivate !== undefined) repo.private = isPrivate;
      if (visibility !== undefined) repo.private = visibility === 'private';
      if (defaultBranch !== undefined) repo.defaultBranch = defaultBranch;
      for (const [field, value] of flags) if (value !== undefined) repo.settings[field] = value;
      if (archived !== undefined) repo.archived = archived;
      repo.updatedAt = ctx.clock.stamp();
      return { status: 200, body: json(repo, req.token) };
    },
  );

  repoOperation(server, ctx, { method: 'DELETE', template, docs: 'repos/repos#delete-a-repository', needs: ['administration'], level: 'write', allowArchived: true }, ({ repo }) => {
    ctx.store.deleteRepo(repo);
    return { status: 204 };
  });

  server.route(
    'GET',
    '/rate_limit',
    (req) => {
      const now = ctx.clock.now();
      const reset = Math.ceil((now + 3_600_000) / 1000);
      const s = primary.last(req.token ?? 'anonymous');
      const core = s
        ? { limit: s.limit, used: s.used, remaining: s.remaining, reset: Math.ceil(s.resetAtMs / 1000) }
        : { limit: 5000, used: 0, remaining: 5000, reset };
      const fresh = (limit: number, windowMs: number) => ({ limit, used: 0, remaining: limit, reset: Math.ceil((now + windowMs) / 1000) });
      return {
        status: 200,
        body: {
          resources: {
            core,
            search: fresh(30, 60_000),
            graphql: fresh(5000, 3_600_000),
            integration_manifest: fresh(5000, 3_600_000),
            code_search: fresh(10, 60_000),
          },
          rate: core,
        },
      };
    },
    { rateLimitKey: CORE_BUCKET },
  );
}
