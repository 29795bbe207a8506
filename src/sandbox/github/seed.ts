import { addCommit, applyChanges, ensureCommit, mergeBase, moveBranch, treeAt } from './commits.ts';
import type { GitHubContext } from './context.ts';
import { closeIssue } from './issues.ts';
import { newPull, pullFiles, pulls } from './pulls.ts';
import { gitBlobSha } from './sequence.ts';
import {
  FILE_STATUSES,
  fullName,
  type BlobRecord,
  type CheckRunRecord,
  type CommentRecord,
  type DiffFile,
  type FileStatus,
  type IssueRecord,
  type LabelRecord,
  type RepoRecord,
  type StatusRecord,
} from './store.ts';

// Test hooks: seed what a test cannot create through the API (a repository, a pushed branch,
// a merge), and read state back without going through HTTP.

export interface RepoSeed {
  /** "owner/name". */
  readonly fullName: string;
  readonly defaultBranch?: string;
  /** Files of the initial commit; default a README. */
  readonly files?: Readonly<Record<string, string>>;
  readonly private?: boolean;
  readonly description?: string;
  /** Default Organization, as infrastructure repositories usually live in one. */
  readonly ownerType?: 'Organization' | 'User';
}

export interface FileSeed {
  readonly filename: string;
  readonly status?: FileStatus;
  readonly additions?: number;
  readonly deletions?: number;
  readonly patch?: string;
  readonly previousFilename?: string;
}

export interface PullRequestSeed {
  /** Head branch; created (or moved) to `headSha`. */
  readonly head: string;
  /** Default: the repository's default branch. */
  readonly base?: string;
  /** Default: a new commit on top of the base. */
  readonly headSha?: string;
  /** File contents of the head commit (null deletes); `files` is then computed from them. */
  readonly contents?: Readonly<Record<string, string | null>>;
  /** The PR's changed files as `pulls.listFiles` reports them; overrides the computed diff. */
  readonly files?: readonly (string | FileSeed)[];
  readonly title?: string;
  readonly body?: string;
  /** Login of the author; default `shipyard-dev`, so the token's bot may review it. */
  readonly author?: string;
  readonly draft?: boolean;
}

export interface CommitSeed {
  /** Default: the default branch. */
  readonly branch?: string;
  readonly sha?: string;
  readonly message?: string;
  /** Path → new content; null deletes the file. */
  readonly files?: Readonly<Record<string, string | null>>;
}

export interface OpenedPullRequest {
  readonly number: number;
  readonly headSha: string;
}

const DEFAULT_LABELS: readonly [string, string, string][] = [
  ['bug', 'd73a4a', "Something isn't working"],
  ['documentation', '0075ca', 'Improvements or additions to documentation'],
  ['duplicate', 'cfd3d7', 'This issue or pull request already exists'],
  ['enhancement', 'a2eeef', 'New feature or request'],
  ['good first issue', '7057ff', 'Good for newcomers'],
  ['help wanted', '008672', 'Extra attention is needed'],
  ['invalid', 'e4e669', "This doesn't seem right"],
  ['question', 'd876e3', 'Further information is requested'],
  ['wontfix', 'ffffff', 'This will not be worked on'],
];

function blob(content: string): BlobRecord {
  const bytes = Buffer.from(content, 'utf8');
  return { sha: gitBlobSha(bytes), content: bytes };
}

function withChanges(tree: ReadonlyMap<string, BlobRecord>, changes: Readonly<Record<string, string | null>>): Map<string, BlobRecord> {
  const out = new Map(tree);
  for (const [path, content] of Object.entries(changes)) {
    if (content === null) out.delete(path);
    else out.set(path, blob(content));
  }
  return out;
}

function diffFile(f: string | FileSeed, ids: GitHubContext['ids']): DiffFile {
  const s: FileSeed = typeof f === 'string' ? { filename: f } : f;
  if (s.status !== undefined && !FILE_STATUSES.includes(s.status)) throw new Error(`unknown file status ${s.status}`);
  const status = s.status ?? 'modified';
  return {
    filename: s.filename,
    status,
    additions: s.additions ?? (status === 'removed' ? 0 : 1),
    deletions: s.deletions ?? (status === 'added' ? 0 : status === 'removed' ? 1 : 0),
    sha: status === 'removed' ? null : ids.sha('blob', s.filename),
    ...(s.patch !== undefined ? { patch: s.patch } : {}),
    ...(s.previousFilename !== undefined ? { previousFilename: s.previousFilename } : {}),
  };
}

export function createRepoRecord(ctx: GitHubContext, seed: RepoSeed): RepoRecord {
  const [ownerLogin, name, ...rest] = seed.fullName.split('/');
  if (!ownerLogin || !name || rest.length > 0) throw new Error(`repository name must be "owner/name", got ${seed.fullName}`);
  const now = ctx.clock.stamp();
  const labels = new Map<string, LabelRecord>();
  for (const [label, color, description] of DEFAULT_LABELS) {
    labels.set(label, { id: ctx.ids.next('label'), name: label, color, description, isDefault: true });
  }
  const repo: RepoRecord = {
    id: ctx.ids.next('repo'),
    owner: ctx.store.user(ownerLogin, seed.ownerType ?? 'Organization'),
    name,
    description: seed.description ?? null,
    homepage: null,
    private: seed.private ?? true,
    archived: false,
    defaultBranch: seed.defaultBranch ?? 'main',
    settings: {
      hasIssues: true,
      hasProjects: true,
      hasWiki: false,
      hasDiscussions: false,
      allowSquashMerge: true,
      allowMergeCommit: true,
      allowRebaseMerge: true,
      allowAutoMerge: false,
      deleteBranchOnMerge: false,
    },
    createdAt: now,
    updatedAt: now,
    pushedAt: now,
    branches: new Map(),
    tags: new Map(),
    commits: new Map(),
    issues: new Map(),
    nextNumber: 1,
    comments: new Map(),
    labels,
    checkRuns: new Map(),
    suites: new Map(),
    statuses: [],
  };
  const tree = withChanges(new Map(), seed.files ?? { 'README.md': `# ${name}\n` });
  const initial = addCommit(ctx, repo, { tree, parents: [], message: 'Initial commit' });
  repo.branches.set(repo.defaultBranch, initial.sha);
  ctx.store.addRepo(repo);
  return repo;
}

/** What tests hold on to: one repository's hooks and state. */
export class GitHubRepoHandle {
  readonly #ctx: GitHubContext;
  readonly record: RepoRecord;

  constructor(ctx: GitHubContext, record: RepoRecord) {
    this.#ctx = ctx;
    this.record = record;
  }

  get fullName(): string {
    return fullName(this.record);
  }

  get defaultBranch(): string {
    return this.record.defaultBranch;
  }

  branch(name: string): string | undefined {
    return this.record.branches.get(name);
  }

  /** A push: a commit on `branch` (created from the default branch when new). Returns its SHA. */
  commit(seed: CommitSeed = {}): string {
    const repo = this.record;
    const branch = seed.branch ?? repo.defaultBranch;
    const tip = repo.branches.get(branch) ?? repo.branches.get(repo.defaultBranch)!;
    const tree = withChanges(treeAt(repo, tip), seed.files ?? {});
    const commit = addCommit(this.#ctx, repo, { tree, parents: [tip], message: seed.message ?? `Update ${branch}`, ...(seed.sha ? { sha: seed.sha } : {}) });
    moveBranch(this.#ctx, repo, branch, commit.sha);
    return commit.sha;
  }

  openPullRequest(seed: PullRequestSeed): OpenedPullRequest {
    const repo = this.record;
    const base = seed.base ?? repo.defaultBranch;
    const baseTip = repo.branches.get(base);
    if (baseTip === undefined) throw new Error(`${this.fullName}: no base branch ${base}`);
    const parent = repo.branches.get(seed.head) ?? baseTip;
    // A known headSha or an existing branch is used as is; otherwise the head is a new push.
    const reuse = seed.contents === undefined && (seed.headSha !== undefined ? repo.commits.has(seed.headSha) : repo.branches.has(seed.head));
    const headSha = reuse
      ? (seed.headSha ?? parent)
      : addCommit(this.#ctx, repo, {
          tree: withChanges(treeAt(repo, parent), seed.contents ?? {}),
          parents: [parent],
          message: seed.title ?? `Changes on ${seed.head}`,
          ...(seed.headSha ? { sha: seed.headSha } : {}),
        }).sha;
    repo.branches.set(seed.head, headSha);
    const p = newPull(this.#ctx, repo, {
      title: seed.title ?? `Update from ${seed.head}`,
      body: seed.body ?? null,
      user: this.#ctx.store.user(seed.author ?? 'shipyard-dev'),
      headRef: seed.head,
      headSha,
      baseRef: base,
      draft: seed.draft ?? false,
      ...(seed.files ? { files: seed.files.map((f) => diffFile(f, this.#ctx.ids)) } : {}),
    });
    return { number: p.issue.number, headSha };
  }

  /** A new push to the PR's head branch (the `synchronize` event); returns the new head SHA. */
  pushToPullRequest(number: number, push: { headSha?: string; contents?: Readonly<Record<string, string | null>>; files?: readonly (string | FileSeed)[] } = {}): string {
    const p = this.#pull(number);
    const sha = this.commit({ branch: p.pull.headRef, ...(push.headSha ? { sha: push.headSha } : {}), ...(push.contents ? { files: push.contents } : {}) });
    if (push.files) p.pull.files = push.files.map((f) => diffFile(f, this.#ctx.ids));
    return sha;
  }

  /**
   * Merges an open PR with a merge commit (SHA given or invented) on its base branch, so
   * `GET commits/{mergeSha}/pulls` finds it, as the apply-on-merge job does.
   */
  mergePullRequest(number: number, mergeSha?: string, mergedBy?: string): string {
    const repo = this.record;
    const p = this.#pull(number);
    if (p.issue.state !== 'open') throw new Error(`${this.fullName}#${number} is not open`);
    const baseTip = repo.branches.get(p.pull.baseRef)!;
    const from = mergeBase(repo, baseTip, p.pull.headSha) ?? baseTip;
    // Freeze the file list as it was at merge time; the base moves on afterwards.
    p.pull.files = pullFiles(repo, p);
    const tree = applyChanges(treeAt(repo, baseTip), treeAt(repo, from), treeAt(repo, p.pull.headSha));
    const commit = addCommit(this.#ctx, repo, {
      tree,
      parents: [baseTip, p.pull.headSha],
      message: `Merge pull request #${number} from ${repo.owner.login}/${p.pull.headRef}`,
      ...(mergeSha ? { sha: mergeSha } : {}),
    });
    const by = mergedBy ? this.#ctx.store.user(mergedBy) : p.issue.user;
    p.pull.baseSha = baseTip;
    p.pull.merged = true;
    p.pull.mergedAt = this.#ctx.clock.stamp();
    p.pull.mergeCommitSha = commit.sha;
    p.pull.mergedBy = by;
    closeIssue(this.#ctx, p.issue, by, 'completed');
    moveBranch(this.#ctx, repo, p.pull.baseRef, commit.sha);
    return commit.sha;
  }

  /** Makes a SHA known (e.g. a commit a workflow reports on) without content. */
  knowCommit(sha: string, parent?: string): void {
    ensureCommit(this.#ctx, this.record, sha, parent ?? this.record.branches.get(this.record.defaultBranch));
  }

  file(path: string, ref?: string): string | undefined {
    const sha = this.record.branches.get(ref ?? this.record.defaultBranch) ?? ref ?? '';
    return treeAt(this.record, sha).get(path)?.content.toString('utf8');
  }

  issue(number: number): IssueRecord | undefined {
    return this.record.issues.get(number);
  }

  issues(): IssueRecord[] {
    return [...this.record.issues.values()].filter((i) => !i.pull);
  }

  pullRequests(): IssueRecord[] {
    return pulls(this.record).map((p) => p.issue);
  }

  comments(issueNumber: number): CommentRecord[] {
    return [...this.record.comments.values()].filter((c) => c.issueNumber === issueNumber).sort((a, b) => a.id - b.id);
  }

  checkRuns(headSha?: string): CheckRunRecord[] {
    return [...this.record.checkRuns.values()].filter((r) => headSha === undefined || r.headSha === headSha).sort((a, b) => a.id - b.id);
  }

  statuses(sha?: string): StatusRecord[] {
    return this.record.statuses.filter((s) => sha === undefined || s.sha === sha);
  }

  #pull(number: number) {
    const issue = this.record.issues.get(number);
    if (!issue?.pull) throw new Error(`${this.fullName}: no pull request #${number}`);
    return { issue, pull: issue.pull };
  }
}
