/**
 * How a change travels in this repository, and how it is undone: pull request, validation and
 * plan comment, review, apply on merge against the reviewed fingerprint, and `git revert`.
 */
import type { JournalRecord } from '../model/state.ts';
import type { DocsFacts } from './facts.ts';
import { code, commands, docLink, list, page, repoLink, table } from './markdown.ts';

export const CHANGE_GUIDE_PATH = 'change-and-rollback.md';

/** The labels the workflows act on (src/actions; docs may not import it, a test keeps them equal). */
export const APPROVE_DESTRUCTIVE_LABEL = 'shipyard:approve-destructive';
export const DRIFT_LABEL = 'shipyard:drift';
const WORKFLOWS = { pullRequest: '.github/workflows/pull-request.yml', apply: '.github/workflows/apply.yml', drift: '.github/workflows/drift.yml' };

export function renderChangeGuide(facts: DocsFacts): string {
  const file = CHANGE_GUIDE_PATH;
  const venture = facts.ventures[0];
  const protectedEnvs = facts.environments.filter((e) => e.access.protected).map((e) => e.name);
  const example = facts.environments.find((e) => e.target === 'production') ?? facts.environments[0];
  const env = example?.name ?? 'production';
  const shards = facts.environments.map((e) => code(e.name));
  return page([
    '# Change visibility and rollback',
    `How a change to ${code('environments/')} or ${code('ventures/')} reaches the live systems, where everyone can see it, and how to undo it. Back to the ${docLink(file, 'index.md', 'index')}.`,
    '## 1. Propose: a pull request',
    page([
      'Every change starts as a pull request that edits the YAML. Nothing is changed by hand: a hand edit shows up as drift and is put back by the next apply. Check a change locally before pushing:',
      commands(['shipyard validate', venture ? `shipyard plan --venture ${venture.name}` : 'shipyard plan']),
      `${code('validate')} prints each problem as ${code('file:line:col')} with what to do; ${code('plan')} reads live state and prints what apply would change.`,
    ]).trimEnd(),
    '## 2. Review: the plan on the pull request',
    page([
      `${repoLink(facts.links, file, WORKFLOWS.pullRequest)} runs on every pull request that touches the configuration. It validates first: problems become annotations on the changed lines. Then each environment (${list(shards)}) is planned as its own shard: a check run per shard, the full plan in the job summary, and the plan file as the artifact ${code('shipyard-plan-<environment>')} (kept 30 days). A last job combines the shards into one comment on the pull request, updated in place on every push: a summary table first, destructive changes on top, details folded. Its hidden marker holds each shard's fingerprint: that is what the review approves. Pull requests from forks are validated only (no secret reaches them), and the comment says so. The same by hand, for one environment:`,
      commands(['shipyard validate --format github', `shipyard plan --env ${env} --format markdown --out plan.json`]),
      table(['In the plan', 'Means'], [
        [code('+ create'), 'a new resource'],
        [code('~ update'), 'fields change in place; only fields declared in git are compared'],
        [code('± replace'), 'delete and create again: a field that cannot change in place changed'],
        [code('- delete'), 'a resource Shipyard owns is no longer declared; resources it does not own are never deleted'],
        [code('[secret]'), `a secret value, never shown; ${code('[secret] (changed)')} when it changes`],
        [code('(known after apply)'), 'a value produced by an earlier step, such as a new project\'s key'],
        ['unverifiable', 'a secret that cannot be read back, so its drift cannot be checked'],
        ['unmanaged', 'live objects Shipyard does not own: listed, left alone'],
      ]),
      `Safety rules stop a plan instead of applying it: a protected resource (${protectedEnvs.length ? `the namespaces of ${list(protectedEnvs.map(code))}, ` : ''}Supabase projects, a Vercel project with a domain) is deleted or replaced only with a tombstone in git; deleting or replacing more than a quarter of an environment, or anything in a protected environment, needs an explicit override; and nothing is deleted in a run where a read failed. In the workflows the override is the label ${code(APPROVE_DESTRUCTIVE_LABEL)} on the pull request, which also approves deleting protected resources; by hand it is ${code('--allow-destructive')}.`,
    ]).trimEnd(),
    '## 3. Apply on merge',
    page([
      `${repoLink(facts.links, file, WORKFLOWS.apply)} runs on the push to the main branch: one job per environment, one at a time per environment, each holding that environment's lock${protectedEnvs.includes('production') ? `; the ${code('production')} job waits for the reviewers of the GitHub environment ${code('production')}` : ''}. Each job finds the merged pull request, plans its environment again under the lock, and applies only if the plan has the fingerprint its shard had in the reviewed comment. If live state or the configuration moved in between, it applies nothing and posts the new plan on the pull request for review. The same by hand, with the plan file reviewed above:`,
      commands([`shipyard apply --env ${env} --yes --plan plan.json`]),
      `Every step is written to the journal before and after it runs; a failed step stops only what depends on it, and re-running the job converges. The result (applied, or the failed and skipped steps with how to resume) is posted on the merged pull request and in the job summary. What the last run did:`,
      commands([`shipyard state show --env ${env}`]),
    ]).trimEnd(),
    ...lastRun(facts),
    '## 4. Roll back: revert the merge',
    page([
      'A rollback is a revert of the merge commit, reviewed like any change:',
      commands(['git switch -c revert-change main', 'git revert -m 1 MERGE_COMMIT']),
      `Push the branch and open a pull request: its plan is the inverse of the original change, and merging it applies that. If the original change created a protected resource, the revert's plan refuses to delete it until the pull request carries the label ${code(APPROVE_DESTRUCTIVE_LABEL)} (or adds a tombstone). Some things a revert cannot undo, and its plan says so: data in a deleted Supabase project, a revoked or rotated key, a generated secret that was replaced, and DNS answers cached until their TTL runs out.`,
    ]).trimEnd(),
    '## 5. When live state moves on its own',
    page([
      `${repoLink(facts.links, file, WORKFLOWS.drift)} compares live state with git every six hours. While an environment differs it keeps one issue open, titled ${code('Drift in <environment>')} with the label ${code(DRIFT_LABEL)}, and closes it once they match again. The same by hand (exit status 2 when they differ):`,
      commands([`shipyard drift --env ${env}`]),
      venture ? `Each venture's runbook says how to act on drift, e.g. ${docLink(file, `ventures/${venture.name}/runbook.md`, `the runbook of ${venture.name}`)}.` : undefined,
    ]).trimEnd(),
  ]);
}

function lastRun(facts: DocsFacts): string[] {
  const state = facts.input.state;
  if (!state) return [];
  const records = state.lastRun;
  if (records.length === 0) return [`The state store (${code(state.store)}) has no apply run yet.`];
  return [`The newest run in the state store (${code(state.store)}): ${runSummary(records)}.`];
}

/** One line about an apply run from its journal: who, which commit, when it ended, and how its steps ended. Messages are left out. */
export function runSummary(records: JournalRecord[]): string {
  const first = records[0]!;
  const final = new Map<string, string>();
  for (const r of records) final.set(`${r.environment}\u0000${r.address}`, r.outcome);
  const counts = new Map<string, number>();
  for (const outcome of final.values()) {
    // A step with only its `started` record was cut off (a killed run).
    const key = outcome === 'started' ? 'unfinished' : outcome;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const ended = records.map((r) => r.at).sort().at(-1)!;
  const environments = [...new Set(records.map((r) => r.environment))].sort();
  const outcomes = ['succeeded', 'failed', 'skipped', 'unfinished'].filter((o) => counts.has(o)).map((o) => `${counts.get(o)} ${o}`).join(', ');
  return `run ${code(first.runId)} by ${code(first.actor)}${first.revision ? ` at commit ${code(first.revision.slice(0, 12))}` : ''}, plan ${code(first.planFingerprint.slice(0, 12))}, in ${environments.map(code).join(', ')}, last step at ${ended}: ${outcomes || 'no steps'}`;
}
