/** The validate action: every config file checked, problems as annotations on the pull request. */
import { hasErrors, loadConfig } from '../config/load.ts';
import { renderDiagnostics } from '../render/diagnostics.ts';
import { annotate } from './context.ts';
import { isFork, pullRequestOf, type ActionDeps } from './deps.ts';
import { changedLines } from './pull-request.ts';

export async function runValidate(deps: ActionDeps): Promise<void> {
  const config = await loadConfig(deps.cwd);
  const pull = pullRequestOf(deps.context);
  // Changed lines need the API; a fork's token can still read its own pull request.
  const changed = pull ? await changedLines(deps.octokit, deps.context.repo, pull.number).catch(() => undefined) : undefined;
  annotate(deps, config.diagnostics, changed);
  const files = config.environments.length + config.ventures.length;
  await deps.core.summary(`### Shipyard validate\n\n\`\`\`\n${renderDiagnostics(config.diagnostics, 'text', files)}\`\`\`\n${pull && isFork(pull) ? '\nThis pull request comes from a fork: it is validated, but not planned (plans need secrets that forks do not get).\n' : ''}`);
  deps.core.setOutput('errors', String(config.diagnostics.filter((d) => d.severity === 'error').length));
  if (hasErrors(config.diagnostics)) deps.core.setFailed(`${config.diagnostics.filter((d) => d.severity === 'error').length} configuration error(s); see the annotations`);
}
