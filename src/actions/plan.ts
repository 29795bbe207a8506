/**
 * The plan action: on a pull request, plan and keep one sticky comment up to date (summary
 * first, at most 65,000 bytes), with the full plan in the job summary, a file for the artifact
 * step, and a check run. A fork's pull request is validated only, and the comment says why.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { hasChanges, type Plan } from '../model/plan.ts';
import { renderPlanJson } from '../render/plan-json.ts';
import { renderPlanMarkdown } from '../render/plan-markdown.ts';
import { renderPlanText } from '../render/plan-text.ts';
import { processRedactor } from '../secrets/redact.ts';
import { annotate, checkDurableState, listInput, maskSecrets, openRepository, planWorkspace, runUrl } from './context.ts';
import { marker, upsertPlanComment } from './comment.ts';
import { isFork, pullRequestOf, type ActionDeps } from './deps.ts';
import { APPROVE_DESTRUCTIVE_LABEL } from './pull-request.ts';

const CHECK_OUTPUT_LIMIT = 65_535;

export async function runPlan(deps: ActionDeps): Promise<Plan | undefined> {
  maskSecrets(deps);
  const pull = pullRequestOf(deps.context);
  const repo = deps.context.repo;
  if (pull && isFork(pull)) {
    const note = `${marker({ all: 'none' })}\n### Shipyard plan\n\nThis pull request comes from a fork, so it gets validation only: a plan reads live systems with the repository's secrets, which GitHub does not give to workflows of forked pull requests. A maintainer can push the branch to this repository to get a plan.\n`;
    await upsertPlanComment(deps.octokit, repo, pull.number, note);
    deps.core.info('fork pull request: validated, not planned');
    return undefined;
  }
  const unsafe = checkDurableState(deps.env);
  if (unsafe) {
    deps.core.setFailed(unsafe);
    return undefined;
  }
  const opened = await openRepository(deps);
  if (!opened.ok) {
    annotate(deps, opened.diagnostics);
    if (pull) await upsertPlanComment(deps.octokit, repo, pull.number, `${marker({ all: 'none' })}\n### Shipyard plan\n\n**No plan: the configuration is invalid.** The annotations on the changed files say what to fix.\n`);
    deps.core.setFailed('the configuration is invalid; see the annotations');
    return undefined;
  }
  const { workspace } = opened;
  try {
    const environments = listInput(deps.core.getInput('environments'));
    const approved = pull?.labels?.some((l) => l.name === APPROVE_DESTRUCTIVE_LABEL) ?? false;
    const { plan } = await planWorkspace(deps, workspace, { environments, allowDestructive: approved, approveProtected: approved });
    const shard = environments.length > 0 ? environments.join('+') : 'all';
    const title = environments.length > 0 ? `Shipyard plan: ${environments.join(', ')}` : 'Shipyard plan';
    const markdown = processRedactor.scrub(renderPlanMarkdown(plan, { title, fullPlanUrl: runUrl(deps), marker: marker({ [shard]: plan.fingerprint }) }));
    const text = processRedactor.scrub(renderPlanText(plan));
    if (pull) await upsertPlanComment(deps.octokit, repo, pull.number, markdown);

    const planFile = path.resolve(deps.cwd, deps.core.getInput('plan-file') || '.shipyard/plan.json');
    mkdirSync(path.dirname(planFile), { recursive: true });
    writeFileSync(planFile, processRedactor.scrub(renderPlanJson(plan)));
    await deps.core.summary(`### ${title}\n\n${text.length > 900_000 ? 'The plan is too large for the job summary; it is in the `shipyard-plan` artifact.' : `\`\`\`diff\n${text}\`\`\``}\n`);
    const blocking = plan.diagnostics.filter((d) => d.severity === 'error');
    await deps.octokit.rest.checks.create({
      ...repo, name: title, head_sha: pull?.head.sha ?? deps.context.sha, status: 'completed',
      conclusion: blocking.length > 0 ? 'failure' : hasChanges(plan) ? 'neutral' : 'success',
      output: { title: `${plan.summary.create} to create, ${plan.summary.update} to update, ${plan.summary.replace} to replace, ${plan.summary.delete} to delete`, summary: truncate(markdown), text: truncate(`\`\`\`diff\n${text}\`\`\``) },
    });
    deps.core.setOutput('fingerprint', plan.fingerprint);
    deps.core.setOutput('has-changes', String(hasChanges(plan)));
    deps.core.setOutput('plan-file', planFile);
    if (blocking.length > 0) deps.core.setFailed(`the plan has ${blocking.length} error(s): ${blocking[0]!.message}`);
    return plan;
  } finally {
    await workspace.close();
  }
}

function truncate(text: string): string {
  if (text.length <= CHECK_OUTPUT_LIMIT) return text;
  const note = '\n\n…truncated: the full plan is in the job summary and the artifact.';
  return text.slice(0, CHECK_OUTPUT_LIMIT - note.length) + note;
}
