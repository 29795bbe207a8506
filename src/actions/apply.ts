/**
 * The apply action, on a push to main: find the merged pull request, plan again, and apply only
 * if the plan is the one reviewed (its fingerprint is in the plan comment). The result goes back
 * to the pull request; a failure says which steps failed and how to resume.
 */
import { applyPlan, type ApplyOutcome } from '../engine/applier.ts';
import { withEnvironmentLocks } from '../engine/locks.ts';
import { LockHeldError } from '../model/state.ts';
import { renderPlanMarkdown } from '../render/plan-markdown.ts';
import { processRedactor } from '../secrets/redact.ts';
import { checkDurableState, listInput, maskSecrets, openRepository, planWorkspace, runUrl } from './context.ts';
import { findPlanComment } from './comment.ts';
import type { ActionDeps } from './deps.ts';
import type { Workspace } from '../cli/workspace.ts';
import { generateDocs } from '../docs/generate.ts';
import { snapshotState } from '../docs/state-snapshot.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { APPROVE_DESTRUCTIVE_LABEL, pullRequestOfCommit } from './pull-request.ts';

export async function runApply(deps: ActionDeps): Promise<ApplyOutcome | undefined> {
  maskSecrets(deps);
  const repo = deps.context.repo;
  const unsafe = checkDurableState(deps.env);
  if (unsafe) {
    deps.core.setFailed(unsafe);
    return undefined;
  }
  const pull = await pullRequestOfCommit(deps.octokit, repo, deps.context.sha);
  if (!pull) {
    deps.core.setFailed(`commit ${deps.context.sha.slice(0, 12)} did not come from a merged pull request, so there is no reviewed plan to apply; changes reach main through pull requests`);
    return undefined;
  }
  const comment = async (body: string) => {
    await deps.octokit.rest.issues.createComment({ ...repo, issue_number: pull.number, body: processRedactor.scrub(body) });
  };
  const opened = await openRepository(deps);
  if (!opened.ok) {
    deps.core.setFailed('the configuration on main is invalid; nothing was applied');
    await comment(`### Shipyard apply: not applied\n\nThe configuration on \`main\` at ${deps.context.sha.slice(0, 12)} is invalid. Fix it in a new pull request.`);
    return undefined;
  }
  const { workspace } = opened;
  try {
    const environments = listInput(deps.core.getInput('environments'));
    const shard = environments.length > 0 ? environments.join('+') : 'all';
    // Plan under the locks: a second merge waits for the first apply, then plans what is left.
    const owned = (await workspace.store.listInventory()).map((e) => e.environment);
    const locked = environments.length > 0 ? environments : [...workspace.config.environments.map((e) => e.doc.metadata.name), ...owned];
    const waitMs = Number(deps.core.getInput('lock-timeout') || '600') * 1000;
    const owner = `apply of ${deps.context.sha.slice(0, 12)} (run ${deps.context.runId})`;
    return await withEnvironmentLocks(workspace.store, locked, owner, { waitMs }, async () => {
      const approved = pull.labels.includes(APPROVE_DESTRUCTIVE_LABEL);
      const result = await planWorkspace(deps, workspace, { environments, allowDestructive: approved, approveProtected: approved });
      const { plan } = result;
      const reviewed = (await findPlanComment(deps.octokit, repo, pull.number))?.marker.fingerprints[shard];
      if (reviewed !== plan.fingerprint) {
        const allowChange = deps.core.getInput('allow-plan-change') === 'true';
        const touchesProtected = plan.changes.some((c) => c.action !== 'noop' && workspace.desired.protectedEnvironments.has(c.environment));
        if (!allowChange || touchesProtected) {
          await comment(`### ⚠️ Shipyard apply stopped: the plan changed since review\n\nThe reviewed plan was \`${reviewed?.slice(0, 12) ?? 'missing'}\`; planning \`main\` now gives \`${plan.fingerprint.slice(0, 12)}\` (live state or the configuration changed in between). Nothing was applied. Review the new plan below; re-running this workflow after a new reviewed plan applies it.\n\n${renderPlanMarkdown(plan, { marker: '<!-- shipyard:stale-plan -->', title: 'New plan (not reviewed: push again or re-run the plan workflow to review it)', budgetBytes: 55_000 })}`);
          deps.core.setFailed(`plan changed since review (reviewed ${reviewed?.slice(0, 12) ?? 'none'}, now ${plan.fingerprint.slice(0, 12)}); nothing was applied`);
          return undefined;
        }
        deps.core.warning('the plan changed since review; applying anyway (allow-plan-change, no protected environment touched)');
      }
      const outcome = await applyPlan({ ...result, store: workspace.store, secrets: workspace.secrets, fingerprints: workspace.fingerprints, actor: deps.context.actor, alreadyLocked: true, reporter: { emit: (e) => deps.core.info(processRedactor.scrub(JSON.stringify(e))) } });
      deps.core.setOutput('status', outcome.status);
      const journal = outcome.failed.map((f) => `- ✗ \`${f.address}\`: ${f.error}`).concat(outcome.skipped.map((s) => `- skipped \`${s.address}\` (after \`${s.because}\`)`));
      const body = outcome.status === 'failed'
        ? `### ❌ Shipyard apply failed (${outcome.succeeded.length} applied, ${outcome.failed.length} failed, ${outcome.skipped.length} skipped)\n\n${journal.join('\n')}\n\n${outcome.resume}\n\nRe-run the workflow (${runUrl(deps)}) once the cause is fixed; \`shipyard state show\` prints the journal of run \`${outcome.runId}\`.`
        : `### ✅ Shipyard applied ${deps.context.sha.slice(0, 12)}\n\n${outcome.resume} Plan \`${plan.fingerprint.slice(0, 12)}\`, run \`${outcome.runId}\`.`;
      await comment(body);
      await deps.core.summary(body);
      await publishDocs(deps, workspace);
      if (outcome.status === 'failed') deps.core.setFailed(outcome.resume);
      return outcome;
    });
  } catch (error) {
    const message = processRedactor.scrub((error as Error).message);
    await comment(`### ❌ Shipyard apply did not start\n\n${message}\n\n${error instanceof LockHeldError ? 'Another apply held the lock for longer than lock-timeout; re-run this workflow when it is done: the plan converges.' : ''}`);
    deps.core.setFailed(message);
    return undefined;
  } finally {
    await workspace.close();
  }
}

/** The generated docs, as they stand after this apply: files for the artifact step, the index in the job summary. */
async function publishDocs(deps: ActionDeps, workspace: Workspace): Promise<void> {
  const { owner, repo } = deps.context.repo;
  const files = generateDocs({
    config: workspace.config, desired: workspace.desired, revision: deps.context.sha, state: await snapshotState(workspace.store),
    links: { repository: `${deps.context.serverUrl}/${owner}/${repo}/blob/${deps.context.sha}` },
  });
  const out = path.join(deps.cwd, '.shipyard', 'docs');
  for (const [relative, text] of files) {
    mkdirSync(path.dirname(path.join(out, relative)), { recursive: true });
    writeFileSync(path.join(out, relative), processRedactor.scrub(text));
  }
  deps.core.setOutput('docs-dir', out);
  await deps.core.summary(`\n---\n${processRedactor.scrub(files.get('index.md') ?? '')}`);
}
