/**
 * What an action needs from the outside world, as one object: tests build it from the GitHub
 * emulator and a temporary repository; the entry points build it from @actions/core and
 * @actions/github. Every action is `run(deps)`.
 */
import type { Octokit } from '@octokit/rest';

export interface AnnotationProperties {
  title?: string;
  file?: string;
  startLine?: number;
  startColumn?: number;
}

export interface ActionCore {
  getInput(name: string): string;
  setOutput(name: string, value: string): void;
  setSecret(value: string): void;
  setFailed(message: string): void;
  info(message: string): void;
  warning(message: string, properties?: AnnotationProperties): void;
  error(message: string, properties?: AnnotationProperties): void;
  /** Appends Markdown to the job summary. */
  summary(markdown: string): Promise<void>;
}

export interface ActionContext {
  eventName: string;
  payload: Record<string, unknown>;
  repo: { owner: string; repo: string };
  sha: string;
  ref: string;
  actor: string;
  runId: number;
  serverUrl: string;
}

export interface ActionDeps {
  core: ActionCore;
  octokit: Octokit;
  context: ActionContext;
  env: NodeJS.ProcessEnv;
  /** The checked-out repository. */
  cwd: string;
}

export interface PullRequestPayload {
  number: number;
  head: { sha: string; ref: string; repo: { full_name: string } | null };
  base: { ref: string; repo: { full_name: string } };
  labels?: { name: string }[];
}

export function pullRequestOf(context: ActionContext): PullRequestPayload | undefined {
  return context.payload.pull_request as PullRequestPayload | undefined;
}

/** A fork's pull request gets no secrets: it is validated, never planned. */
export function isFork(pull: PullRequestPayload): boolean {
  return pull.head.repo === null || pull.head.repo.full_name !== pull.base.repo.full_name;
}
