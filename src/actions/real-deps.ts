/** The real outside world of an action on a GitHub runner: @actions/core and @actions/github. */
import * as core from '@actions/core';
import * as github from '@actions/github';
import type { Octokit } from '@octokit/rest';
import { processRedactor } from '../secrets/redact.ts';
import type { ActionDeps } from './deps.ts';

export function realDeps(): ActionDeps {
  const token = core.getInput('github-token') || process.env.GITHUB_TOKEN || '';
  if (!token) throw new Error('no GitHub token: the action needs the `github-token` input (default: the workflow token)');
  core.setSecret(token);
  return {
    core: {
      getInput: (name) => core.getInput(name),
      setOutput: (name, value) => core.setOutput(name, value),
      setSecret: (value) => core.setSecret(value),
      setFailed: (message) => core.setFailed(processRedactor.scrub(message)),
      info: (message) => core.info(processRedactor.scrub(message)),
      warning: (message, properties) => core.warning(processRedactor.scrub(message), properties),
      error: (message, properties) => core.error(processRedactor.scrub(message), properties),
      summary: async (markdown) => {
        await core.summary.addRaw(processRedactor.scrub(markdown), true).write();
      },
    },
    octokit: github.getOctokit(token) as unknown as Octokit,
    context: {
      eventName: github.context.eventName,
      payload: github.context.payload as Record<string, unknown>,
      repo: github.context.repo,
      sha: github.context.sha,
      ref: github.context.ref,
      actor: github.context.actor,
      runId: github.context.runId,
      serverUrl: github.context.serverUrl,
    },
    env: process.env,
    cwd: process.env.GITHUB_WORKSPACE ?? process.cwd(),
  };
}

/** Entry points end here: a failure is one scrubbed line, never a stack trace with secrets in it. */
export async function main(action: (deps: ActionDeps) => Promise<unknown>): Promise<void> {
  try {
    await action(realDeps());
  } catch (error) {
    core.setFailed(processRedactor.scrub(error instanceof Error ? error.message : String(error)));
  }
}
