import { createHash } from 'node:crypto';
import { fail } from './errors.ts';
import type { GitHubContext } from './context.ts';
import type { BlobRecord, CommitRecord, DiffFile, GitIdentity, RepoRecord } from './store.ts';

// The slice of git the API needs: commits with whole-tree snapshots, branches and tags as
// name → SHA, and tree diffs for pull request files.

export type Tree = ReadonlyMap<string, BlobRecord>;

const EMPTY_TREE: Tree = new Map();

export function treeSha(tree: Tree): string {
  const h = createHash('sha1');
  for (const path of [...tree.keys()].sort()) h.update(`${path}\u0000${tree.get(path)!.sha}\n`);
  return h.digest('hex');
}

export interface NewCommit {
  readonly tree: Tree;
  readonly parents: readonly string[];
  readonly message: string;
  readonly author?: Omit<GitIdentity, 'date'> & { readonly date?: number };
  readonly committer?: Omit<GitIdentity, 'date'> & { readonly date?: number };
  /** Use this SHA instead of inventing one (test hooks name their commits). */
  readonly sha?: string;
}

export function addCommit(ctx: GitHubContext, repo: RepoRecord, c: NewCommit): CommitRecord {
  const now = ctx.clock.stamp();
  const author = { name: c.author?.name ?? 'github-actions[bot]', email: c.author?.email ?? '41898282+github-actions[bot]@users.noreply.github.com', date: c.author?.date ?? now };
  const committer = c.committer ? { ...c.committer, date: c.committer.date ?? now } : { name: 'GitHub', email: 'noreply@github.com', date: now };
  const sha = c.sha ?? ctx.ids.sha('commit', repo.name, c.message, ...c.parents);
  const commit: CommitRecord = { sha, treeSha: treeSha(c.tree), parents: [...c.parents], tree: c.tree, message: c.message, author, committer };
  repo.commits.set(sha, commit);
  repo.pushedAt = now;
  return commit;
}

/** A commit the emulator was told about without its content (seeded head SHAs): same tree as its parent. */
export function ensureCommit(ctx: GitHubContext, repo: RepoRecord, sha: string, parent: string | undefined): CommitRecord {
  const existing = repo.commits.get(sha);
  if (existing) return existing;
  const tree = parent !== undefined ? (repo.commits.get(parent)?.tree ?? EMPTY_TREE) : EMPTY_TREE;
  return addCommit(ctx, repo, { sha, tree, parents: parent !== undefined ? [parent] : [], message: `Commit ${sha.slice(0, 7)}` });
}

export function requireCommit(repo: RepoRecord, sha: string): CommitRecord {
  return repo.commits.get(sha) ?? fail(422, `No commit found for SHA: ${sha}`);
}

/** A branch name, `heads/x`, `refs/heads/x`, a tag, or a full commit SHA → commit SHA. */
export function resolveRef(repo: RepoRecord, ref: string): string | undefined {
  const name = ref.replace(/^refs\//, '');
  if (name.startsWith('heads/')) return repo.branches.get(name.slice('heads/'.length));
  if (name.startsWith('tags/')) return repo.tags.get(name.slice('tags/'.length));
  return repo.branches.get(name) ?? repo.tags.get(name) ?? (repo.commits.has(ref) ? ref : undefined);
}

function lines(content: Buffer): string[] {
  const text = content.toString('utf8');
  if (text === '') return [];
  return text.replace(/\n$/, '').split('\n');
}

/**
 * Line counts by multiset difference: a line that moved counts as unchanged. Close enough for
 * the additions/deletions counters, and linear where a real diff is quadratic.
 */
function countChanges(before: Buffer, after: Buffer): { additions: number; deletions: number } {
  const pool = new Map<string, number>();
  for (const l of lines(before)) pool.set(l, (pool.get(l) ?? 0) + 1);
  let additions = 0;
  for (const l of lines(after)) {
    const n = pool.get(l) ?? 0;
    if (n > 0) pool.set(l, n - 1);
    else additions++;
  }
  let deletions = 0;
  for (const n of pool.values()) deletions += n;
  return { additions, deletions };
}

export function diffTrees(base: Tree, head: Tree): DiffFile[] {
  const out: DiffFile[] = [];
  const paths = [...new Set([...base.keys(), ...head.keys()])].sort();
  for (const path of paths) {
    const a = base.get(path);
    const b = head.get(path);
    if (a && b && a.sha === b.sha) continue;
    if (!a && b) out.push({ filename: path, status: 'added', additions: lines(b.content).length, deletions: 0, sha: b.sha });
    else if (a && !b) out.push({ filename: path, status: 'removed', additions: 0, deletions: lines(a.content).length, sha: null });
    else if (a && b) out.push({ filename: path, status: 'modified', ...countChanges(a.content, b.content), sha: b.sha });
  }
  return out;
}

export function treeAt(repo: RepoRecord, sha: string): Tree {
  return repo.commits.get(sha)?.tree ?? EMPTY_TREE;
}

/** Every commit reachable from `sha` (itself included). */
export function ancestors(repo: RepoRecord, sha: string): Set<string> {
  const seen = new Set<string>();
  const stack = [sha];
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (seen.has(s)) continue;
    seen.add(s);
    for (const p of repo.commits.get(s)?.parents ?? []) stack.push(p);
  }
  return seen;
}

/** Nearest common ancestor, breadth-first from `head`; undefined for unrelated histories. */
export function mergeBase(repo: RepoRecord, base: string, head: string): string | undefined {
  const fromBase = ancestors(repo, base);
  const queue = [head];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const s = queue.shift()!;
    if (fromBase.has(s)) return s;
    if (seen.has(s)) continue;
    seen.add(s);
    queue.push(...(repo.commits.get(s)?.parents ?? []));
  }
  return undefined;
}

/** Commits on `head` that `base` lacks: a pull request's commit count. */
export function commitsBetween(repo: RepoRecord, base: string, head: string): number {
  const fromBase = ancestors(repo, base);
  let n = 0;
  for (const s of ancestors(repo, head)) if (!fromBase.has(s)) n++;
  return n;
}

/** Applies the changes `from → to` onto `onto`: the tree of a merge without conflicts. */
export function applyChanges(onto: Tree, from: Tree, to: Tree): Tree {
  const out = new Map(onto);
  for (const f of diffTrees(from, to)) {
    const blob = to.get(f.filename);
    if (blob) out.set(f.filename, blob);
    else out.delete(f.filename);
  }
  return out;
}

/**
 * Moves a branch and, like a push on GitHub, the head of every open pull request from it
 * (the `synchronize` event), so later reads and `commits/{sha}/pulls` see the new head.
 */
export function moveBranch(ctx: GitHubContext, repo: RepoRecord, branch: string, sha: string): void {
  repo.branches.set(branch, sha);
  for (const issue of repo.issues.values()) {
    const pull = issue.pull;
    if (!pull || issue.state !== 'open' || pull.headRef !== branch || pull.headSha === sha) continue;
    pull.headSha = sha;
    pull.headShas.push(sha);
    issue.updatedAt = ctx.clock.stamp();
  }
}
