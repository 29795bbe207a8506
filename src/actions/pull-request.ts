/** Pull-request facts the actions need: the PR of a merge commit, its labels, its changed lines. */
import type { Octokit } from '@octokit/rest';

export const APPROVE_DESTRUCTIVE_LABEL = 'shipyard:approve-destructive';

export interface PullRequestInfo {
  number: number;
  headSha: string;
  labels: string[];
}

/** The merged pull request whose merge commit is `sha` (the apply of a push to main). */
export async function pullRequestOfCommit(octokit: Octokit, repo: { owner: string; repo: string }, sha: string): Promise<PullRequestInfo | undefined> {
  const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ ...repo, commit_sha: sha, per_page: 100 });
  const merged = data.find((pr) => pr.merge_commit_sha === sha) ?? data.find((pr) => pr.merged_at);
  if (!merged) return undefined;
  return { number: merged.number, headSha: merged.head.sha, labels: merged.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))) };
}

/** Lines each changed file adds or modifies, from the pull request's patches. */
export async function changedLines(octokit: Octokit, repo: { owner: string; repo: string }, pullNumber: number): Promise<Map<string, Set<number>>> {
  const changed = new Map<string, Set<number>>();
  const files = await octokit.paginate(octokit.rest.pulls.listFiles, { ...repo, pull_number: pullNumber, per_page: 100 });
  for (const file of files) {
    const lines = new Set<number>();
    let line = 0;
    for (const text of (file.patch ?? '').split('\n')) {
      const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(text);
      if (hunk) {
        line = Number(hunk[1]);
        continue;
      }
      if (text.startsWith('+')) lines.add(line++);
      else if (!text.startsWith('-')) line++;
    }
    changed.set(file.filename, lines);
  }
  return changed;
}
