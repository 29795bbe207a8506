/**
 * The sticky plan comment: one per pull request, found again by a hidden marker that carries
 * the plan fingerprint, through a paginated listing; updated in place, never duplicated.
 */
import type { Octokit } from '@octokit/rest';

const MARKER = /<!-- shipyard:plan(?: shard=([^ ]+))? fingerprint=([0-9a-f]{64}|none|[^ ]+) -->/;

export interface PlanMarker {
  /** Fingerprint per shard; a single plan is the shard `all`. */
  fingerprints: Record<string, string>;
}

export function parseMarker(body: string): PlanMarker | undefined {
  const line = body.split('\n', 1)[0] ?? '';
  const match = MARKER.exec(line);
  if (!match) return undefined;
  const fingerprint = match[2]!;
  if (fingerprint.includes(':') || fingerprint.includes(',')) {
    return { fingerprints: Object.fromEntries(fingerprint.split(',').map((pair) => pair.split(':') as [string, string])) };
  }
  return { fingerprints: { [match[1] ?? 'all']: fingerprint } };
}

export function marker(fingerprints: Record<string, string>): string {
  const keys = Object.keys(fingerprints).sort();
  const value = keys.length === 1 && keys[0] === 'all' ? fingerprints.all! : keys.map((k) => `${k}:${fingerprints[k]}`).join(',');
  return `<!-- shipyard:plan fingerprint=${value} -->`;
}

export interface FoundComment {
  id: number;
  body: string;
  marker: PlanMarker;
}

export async function findPlanComment(octokit: Octokit, repo: { owner: string; repo: string }, issueNumber: number): Promise<FoundComment | undefined> {
  let found: FoundComment | undefined;
  for await (const page of octokit.paginate.iterator(octokit.rest.issues.listComments, { ...repo, issue_number: issueNumber, per_page: 100 })) {
    for (const comment of page.data) {
      const parsed = parseMarker(comment.body ?? '');
      if (parsed) found = { id: comment.id, body: comment.body ?? '', marker: parsed };
    }
  }
  return found;
}

/** Updates the plan comment, or creates it the first time. */
export async function upsertPlanComment(octokit: Octokit, repo: { owner: string; repo: string }, issueNumber: number, body: string): Promise<{ id: number; created: boolean }> {
  const existing = await findPlanComment(octokit, repo, issueNumber);
  if (existing) {
    await octokit.rest.issues.updateComment({ ...repo, comment_id: existing.id, body });
    return { id: existing.id, created: false };
  }
  const created = await octokit.rest.issues.createComment({ ...repo, issue_number: issueNumber, body });
  return { id: created.data.id, created: true };
}
