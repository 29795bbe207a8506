// In-memory GitHub state. Records are plain mutable objects; render.ts turns them into the
// API's JSON shapes, so a stored field never leaks onto the wire by accident.

export const PERMISSIONS = ['metadata', 'contents', 'issues', 'pull_requests', 'checks', 'statuses', 'administration'] as const;
export type Permission = (typeof PERMISSIONS)[number];
export type Access = 'none' | 'read' | 'write';

export const REACTIONS = ['+1', '-1', 'laugh', 'confused', 'heart', 'hooray', 'rocket', 'eyes'] as const;
export type ReactionContent = (typeof REACTIONS)[number];

export const CHECK_STATUSES = ['queued', 'in_progress', 'completed', 'waiting', 'requested', 'pending'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];
export const CHECK_CONCLUSIONS = ['action_required', 'cancelled', 'failure', 'neutral', 'success', 'skipped', 'stale', 'timed_out'] as const;
export type CheckConclusion = (typeof CHECK_CONCLUSIONS)[number];

export const STATUS_STATES = ['error', 'failure', 'pending', 'success'] as const;
export type StatusState = (typeof STATUS_STATES)[number];

export const FILE_STATUSES = ['added', 'removed', 'modified', 'renamed', 'copied', 'changed', 'unchanged'] as const;
export type FileStatus = (typeof FILE_STATUSES)[number];

export interface UserRecord {
  readonly login: string;
  readonly id: number;
  readonly type: 'User' | 'Bot' | 'Organization';
}

export interface BlobRecord {
  readonly sha: string;
  readonly content: Buffer;
}

export interface GitIdentity {
  readonly name: string;
  readonly email: string;
  readonly date: number;
}

export interface CommitRecord {
  readonly sha: string;
  readonly treeSha: string;
  readonly parents: readonly string[];
  /** Whole-repository snapshot: path → blob. Small test repos make copying cheap. */
  readonly tree: ReadonlyMap<string, BlobRecord>;
  readonly message: string;
  readonly author: GitIdentity;
  readonly committer: GitIdentity;
}

export interface LabelRecord {
  readonly id: number;
  name: string;
  color: string;
  description: string | null;
  readonly isDefault: boolean;
}

export interface ReactionRecord {
  readonly id: number;
  readonly content: ReactionContent;
  readonly user: UserRecord;
  readonly createdAt: number;
}

export interface CommentRecord {
  readonly id: number;
  readonly issueNumber: number;
  body: string;
  readonly user: UserRecord;
  readonly createdAt: number;
  updatedAt: number;
  readonly reactions: ReactionRecord[];
}

export interface DiffFile {
  readonly filename: string;
  readonly status: FileStatus;
  readonly additions: number;
  readonly deletions: number;
  readonly sha: string | null;
  readonly patch?: string;
  readonly previousFilename?: string;
}

export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'PENDING';

export interface ReviewRecord {
  readonly id: number;
  readonly user: UserRecord;
  body: string;
  state: ReviewState;
  readonly commitId: string;
  submittedAt: number | undefined;
}

export interface PullRecord {
  readonly headRef: string;
  headSha: string;
  baseRef: string;
  baseSha: string;
  /** Every head the PR has had, so `commits/{sha}/pulls` finds it by an older push too. */
  readonly headShas: string[];
  /** Explicit file list from a test hook; undefined = diff of the base and head trees. */
  files: DiffFile[] | undefined;
  draft: boolean;
  maintainerCanModify: boolean;
  merged: boolean;
  mergedAt: number | undefined;
  mergeCommitSha: string | null;
  mergedBy: UserRecord | null;
  readonly reviews: ReviewRecord[];
}

export interface IssueRecord {
  readonly id: number;
  readonly number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: 'completed' | 'reopened' | 'not_planned' | 'duplicate' | null;
  readonly user: UserRecord;
  labels: LabelRecord[];
  assignees: UserRecord[];
  locked: boolean;
  readonly createdAt: number;
  updatedAt: number;
  closedAt: number | undefined;
  closedBy: UserRecord | null;
  readonly reactions: ReactionRecord[];
  /** Present when the issue is a pull request (GitHub numbers both from one sequence). */
  readonly pull: PullRecord | undefined;
}

export interface Annotation {
  readonly path: string;
  readonly startLine: number;
  readonly endLine: number;
  readonly level: 'notice' | 'warning' | 'failure';
  readonly message: string;
  readonly title: string | undefined;
}

export interface CheckOutput {
  title: string | null;
  summary: string | null;
  text: string | null;
}

export interface CheckRunRecord {
  readonly id: number;
  readonly headSha: string;
  name: string;
  status: CheckStatus;
  conclusion: CheckConclusion | null;
  startedAt: number | undefined;
  completedAt: number | undefined;
  externalId: string | null;
  detailsUrl: string | null;
  readonly output: CheckOutput;
  readonly annotations: Annotation[];
  readonly suiteId: number;
  /** Who created it; check runs belong to the app (integration) behind the token. */
  readonly creator: UserRecord;
}

export interface StatusRecord {
  readonly id: number;
  readonly sha: string;
  readonly state: StatusState;
  readonly context: string;
  readonly description: string | null;
  readonly targetUrl: string | null;
  readonly creator: UserRecord;
  readonly createdAt: number;
}

export interface RepoSettings {
  hasIssues: boolean;
  hasProjects: boolean;
  hasWiki: boolean;
  hasDiscussions: boolean;
  allowSquashMerge: boolean;
  allowMergeCommit: boolean;
  allowRebaseMerge: boolean;
  allowAutoMerge: boolean;
  deleteBranchOnMerge: boolean;
}

export interface RepoRecord {
  readonly id: number;
  readonly owner: UserRecord;
  name: string;
  description: string | null;
  homepage: string | null;
  private: boolean;
  archived: boolean;
  defaultBranch: string;
  readonly settings: RepoSettings;
  readonly createdAt: number;
  updatedAt: number;
  pushedAt: number;
  readonly branches: Map<string, string>;
  readonly tags: Map<string, string>;
  readonly commits: Map<string, CommitRecord>;
  readonly issues: Map<number, IssueRecord>;
  nextNumber: number;
  readonly comments: Map<number, CommentRecord>;
  /** Keyed by lower-cased name: GitHub label names are case-insensitive. */
  readonly labels: Map<string, LabelRecord>;
  readonly checkRuns: Map<number, CheckRunRecord>;
  /** One check suite per head SHA. */
  readonly suites: Map<string, number>;
  readonly statuses: StatusRecord[];
}

export function fullName(repo: RepoRecord): string {
  return `${repo.owner.login}/${repo.name}`;
}

export class GitHubStore {
  readonly #repos = new Map<string, RepoRecord>();
  readonly #users = new Map<string, UserRecord>();
  readonly #userIds: () => number;

  constructor(userIds: () => number) {
    this.#userIds = userIds;
  }

  /** Users are created on first mention; ids are stable per login. */
  user(login: string, type: UserRecord['type'] = 'User', id?: number): UserRecord {
    const key = login.toLowerCase();
    let u = this.#users.get(key);
    if (!u) {
      u = { login, id: id ?? this.#userIds(), type };
      this.#users.set(key, u);
    }
    return u;
  }

  /** Owner and name are case-insensitive on GitHub. */
  repo(owner: string, name: string): RepoRecord | undefined {
    return this.#repos.get(`${owner}/${name}`.toLowerCase());
  }

  addRepo(repo: RepoRecord): void {
    const key = fullName(repo).toLowerCase();
    if (this.#repos.has(key)) throw new Error(`repository ${fullName(repo)} already exists`);
    this.#repos.set(key, repo);
  }

  /** After a rename the old key must go, or two names would answer for one repository. */
  rekey(repo: RepoRecord, previousFullName: string): void {
    this.#repos.delete(previousFullName.toLowerCase());
    this.#repos.set(fullName(repo).toLowerCase(), repo);
  }

  deleteRepo(repo: RepoRecord): void {
    this.#repos.delete(fullName(repo).toLowerCase());
  }

  repos(): RepoRecord[] {
    return [...this.#repos.values()];
  }
}
