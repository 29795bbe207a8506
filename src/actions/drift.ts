/**
 * The drift action, on a schedule: one issue per environment, opened or updated while live
 * state differs from git, closed when it matches again.
 */
import { hasChanges } from '../model/plan.ts';
import { renderPlanMarkdown } from '../render/plan-markdown.ts';
import { processRedactor } from '../secrets/redact.ts';
import { checkDurableState, maskSecrets, openRepository, planWorkspace, runUrl } from './context.ts';
import type { ActionDeps } from './deps.ts';

export const DRIFT_LABEL = 'shipyard:drift';

export async function runDrift(deps: ActionDeps): Promise<Record<string, 'drift' | 'clean'>> {
  maskSecrets(deps);
  const repo = deps.context.repo;
  const unsafe = checkDurableState(deps.env);
  if (unsafe) {
    deps.core.setFailed(unsafe);
    return {};
  }
  const opened = await openRepository(deps);
  if (!opened.ok) {
    deps.core.setFailed('the configuration on main is invalid; drift cannot be checked');
    return {};
  }
  const { workspace } = opened;
  const results: Record<string, 'drift' | 'clean'> = {};
  try {
    const open = await deps.octokit.paginate(deps.octokit.rest.issues.listForRepo, { ...repo, labels: DRIFT_LABEL, state: 'open', per_page: 100 });
    for (const environment of workspace.config.environments.map((e) => e.doc.metadata.name).sort()) {
      const { plan } = await planWorkspace(deps, workspace, { environments: [environment] });
      const title = `Drift in ${environment}`;
      const existing = open.find((issue) => issue.title === title);
      if (hasChanges(plan) || !plan.complete) {
        results[environment] = 'drift';
        const body = processRedactor.scrub(`Live state in **${environment}** differs from git (checked by ${runUrl(deps)}).\n\nTo restore git's state, run the apply workflow or \`shipyard apply --env ${environment} --yes\`; to keep the live change, change the YAML in a pull request.\n\n${renderPlanMarkdown(plan, { title: `Drift in ${environment}`, budgetBytes: 60_000 })}`);
        if (existing) await deps.octokit.rest.issues.update({ ...repo, issue_number: existing.number, body });
        else await deps.octokit.rest.issues.create({ ...repo, title, body, labels: [DRIFT_LABEL] });
      } else {
        results[environment] = 'clean';
        if (existing) {
          await deps.octokit.rest.issues.createComment({ ...repo, issue_number: existing.number, body: `Live state in ${environment} matches git again (${runUrl(deps)}). Closing.` });
          await deps.octokit.rest.issues.update({ ...repo, issue_number: existing.number, state: 'closed' });
        }
      }
    }
    deps.core.setOutput('drift', Object.entries(results).filter(([, v]) => v === 'drift').map(([k]) => k).join(','));
    return results;
  } finally {
    await workspace.close();
  }
}
