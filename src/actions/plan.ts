/**
 * The plan action: on a pull request, plan and keep one sticky comment up to date (summary
 * first, at most 65,000 bytes), with the full plan in the job summary, a file for the artifact
 * step, and a check run. A fork's pull request is validated only, and the comment says why.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { sha256 } from '../diff/canonical.ts';
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
  const aggregateDir = deps.core.getInput('aggregate-dir');
  if (aggregateDir) return aggregateShards(deps, path.resolve(deps.cwd, aggregateDir));
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
    if (pull && deps.core.getInput('comment') !== 'false') await upsertPlanComment(deps.octokit, repo, pull.number, markdown);

    const planFile = path.resolve(deps.cwd, deps.core.getInput('plan-file') || '.shipyard/plan.json');
    mkdirSync(path.dirname(planFile), { recursive: true });
    writeFileSync(planFile, processRedactor.scrub(JSON.stringify({ shard, plan: JSON.parse(renderPlanJson(plan)) as Plan }, null, 2)));
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

/**
 * The aggregate step of a sharded plan: the shards' plan files (downloaded artifacts) become one
 * sticky comment whose marker carries every shard's fingerprint, so each apply shard can check
 * its own part against what was reviewed.
 */
async function aggregateShards(deps: ActionDeps, dir: string): Promise<Plan | undefined> {
  const pull = pullRequestOf(deps.context);
  const shards = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { shard: string; plan: Plan })
    .sort((a, b) => a.shard.localeCompare(b.shard));
  if (shards.length === 0) {
    deps.core.setFailed(`no shard plans in ${dir}: the plan jobs must upload their plan files`);
    return undefined;
  }
  const merged: Plan = {
    formatVersion: shards[0]!.plan.formatVersion,
    fingerprint: sha256(shards.map((s) => `${s.shard}:${s.plan.fingerprint}`).join(',')),
    ...(shards[0]!.plan.revision ? { revision: shards[0]!.plan.revision } : {}),
    changes: shards.flatMap((s) => s.plan.changes),
    unmanaged: shards.flatMap((s) => s.plan.unmanaged),
    diagnostics: shards.flatMap((s) => s.plan.diagnostics),
    complete: shards.every((s) => s.plan.complete),
    summary: shards.reduce((sum, s) => {
      for (const key of Object.keys(sum) as (keyof Plan['summary'])[]) sum[key] += s.plan.summary[key];
      return sum;
    }, { create: 0, update: 0, replace: 0, delete: 0, noop: 0, unverifiable: 0, unmanaged: 0 }),
  };
  const fingerprints = Object.fromEntries(shards.map((s) => [s.shard, s.plan.fingerprint]));
  const markdown = processRedactor.scrub(renderPlanMarkdown(merged, { title: `Shipyard plan (${shards.length} shards: ${shards.map((s) => s.shard).join(', ')})`, fullPlanUrl: runUrl(deps), marker: marker(fingerprints) }));
  if (pull) await upsertPlanComment(deps.octokit, deps.context.repo, pull.number, markdown);
  await deps.core.summary(markdown);
  deps.core.setOutput('has-changes', String(hasChanges(merged)));
  const blocking = merged.diagnostics.filter((d) => d.severity === 'error');
  if (blocking.length > 0) deps.core.setFailed(`the plan has ${blocking.length} error(s): ${blocking[0]!.message}`);
  return merged;
}
