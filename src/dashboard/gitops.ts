/**
 * Changes made in the dashboard never touch a live system: they become a branch, a commit of the
 * edited venture file and a pull request, so review, plan and apply work as for any change. The
 * edit is made to the file as it is on the base branch, and the whole config as it would be
 * after the merge is validated first; an edit that adds an error is refused with the diagnostics.
 */
import { Octokit } from '@octokit/rest';
import { loadConfigFiles, readConfigFiles, type ConfigFile } from '../config/load.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import { processRedactor } from '../secrets/redact.ts';
import type { ChangePreview, DiagnosticView, PullRequestResult } from './api-types.ts';
import { unifiedDiff } from './line-diff.ts';
import type { EditResult } from './venture-edit.ts';

export interface GitHubSettings {
  token: string;
  /** REST API base; default https://api.github.com. */
  apiUrl?: string;
  owner: string;
  repo: string;
  /** Where pull requests go; default the repository's default branch. */
  baseBranch?: string;
}

interface BaseSnapshot {
  commit: string;
  branch: string;
  files: ConfigFile[];
  /** Blob SHA per path, for the contents API's optimistic concurrency. */
  blobs: Map<string, string>;
}

export function createOctokit(settings: GitHubSettings, timeoutMs = 10_000): Octokit {
  processRedactor.add(settings.token);
  const quiet = () => {};
  return new Octokit({ auth: settings.token, baseUrl: settings.apiUrl ?? 'https://api.github.com', userAgent: 'shipyard-dashboard', request: { timeout: timeoutMs }, log: { debug: quiet, info: quiet, warn: quiet, error: quiet } });
}

export class GitOps {
  readonly #root: string;
  readonly #settings: GitHubSettings | undefined;
  readonly #octokit: Octokit | undefined;
  #cached: BaseSnapshot | undefined;

  constructor(root: string, settings: GitHubSettings | undefined, octokit: Octokit | undefined) {
    this.#root = root;
    this.#settings = settings;
    this.#octokit = octokit;
  }

  get repository(): string | undefined {
    return this.#settings ? `${this.#settings.owner}/${this.#settings.repo}${this.#settings.baseBranch ? `@${this.#settings.baseBranch}` : ''}` : undefined;
  }

  /** The edit as a diff, validated; nothing is created. */
  async preview(file: string, edit: (text: string) => EditResult): Promise<ChangePreview> {
    const prepared = await this.#prepare(file, edit);
    return prepared.preview;
  }

  async openPullRequest(file: string, edit: (text: string) => EditResult, describe: { venture: string }): Promise<PullRequestResult> {
    const prepared = await this.#prepare(file, edit);
    if (!prepared.preview.ok || prepared.text === undefined || !prepared.base) return prepared.preview;
    if (!this.#octokit || !this.#settings) {
      return { ...prepared.preview, ok: false, error: 'GitHub is not configured: set GITHUB_TOKEN and GITHUB_REPOSITORY (and GITHUB_API_URL) to open pull requests' };
    }
    const { owner, repo } = this.#settings;
    const base = prepared.base;
    const summary = prepared.summary || 'edit';
    const branch = `shipyard/dashboard/${describe.venture}-${slug(summary)}-${Date.now().toString(36)}`;
    const title = `${describe.venture}: ${summary}`;
    try {
      await this.#octokit.rest.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha: base.commit });
      await this.#octokit.rest.repos.createOrUpdateFileContents({
        owner, repo, path: file, branch, message: title, content: Buffer.from(prepared.text, 'utf8').toString('base64'), sha: base.blobs.get(file),
      });
      const pull = await this.#octokit.rest.pulls.create({
        owner, repo, head: branch, base: base.branch, title,
        body: [
          `${summary[0]!.toUpperCase()}${summary.slice(1)} in \`${file}\`, proposed from the Shipyard dashboard.`,
          '',
          'Nothing changes in a live system until this is reviewed and merged: the plan comment shows what apply would do.',
          '',
          '```diff',
          prepared.preview.diff?.trimEnd() ?? '',
          '```',
        ].join('\n'),
      });
      return { ...prepared.preview, pullRequest: { number: pull.data.number, url: pull.data.html_url, branch } };
    } catch (error) {
      return { ...prepared.preview, ok: false, error: `GitHub refused the change: ${processRedactor.scrub((error as Error).message)}` };
    }
  }

  async #prepare(file: string, edit: (text: string) => EditResult): Promise<{ preview: ChangePreview; text?: string; summary?: string; base?: BaseSnapshot }> {
    let base: BaseSnapshot;
    try {
      base = await this.#base();
    } catch (error) {
      return { preview: { ok: false, file, diagnostics: [], error: `could not read the base branch: ${processRedactor.scrub((error as Error).message)}` } };
    }
    const current = base.files.find((f) => f.path === file);
    if (!current) return { preview: { ok: false, file, diagnostics: [], error: `${file} does not exist on ${base.branch}` } };
    const result = edit(current.text);
    if (!result.ok) return { preview: { ok: false, file, diagnostics: [], error: result.error } };
    const before = newErrors(this.#root, base.files, []);
    const after = newErrors(this.#root, base.files.map((f) => (f.path === file ? { path: file, text: result.text } : f)), before);
    const diagnostics = after.map(view);
    if (diagnostics.length > 0) return { preview: { ok: false, file, diagnostics, error: 'the edited configuration is invalid; nothing was created' } };
    return { preview: { ok: true, file, diff: unifiedDiff(file, current.text, result.text), diagnostics: [] }, text: result.text, summary: result.summary, base };
  }

  /** The config files at the tip of the base branch (from GitHub), or on disk without GitHub. */
  async #base(): Promise<BaseSnapshot> {
    if (!this.#octokit || !this.#settings) {
      return { commit: '', branch: 'local', files: await readConfigFiles(this.#root), blobs: new Map() };
    }
    const { owner, repo } = this.#settings;
    const branch = this.#settings.baseBranch ?? (await this.#octokit.rest.repos.get({ owner, repo })).data.default_branch;
    const ref = await this.#octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}` });
    const commit = ref.data.object.sha;
    if (this.#cached?.commit === commit) return this.#cached;
    const files: ConfigFile[] = [];
    const blobs = new Map<string, string>();
    for (const dir of ['environments', 'ventures']) {
      const listing = await this.#octokit.rest.repos.getContent({ owner, repo, path: dir, ref: commit }).catch((error: { status?: number }) => {
        if (error.status === 404) return undefined;
        throw error;
      });
      const entries = Array.isArray(listing?.data) ? listing.data : [];
      for (const entry of entries.filter((e) => e.type === 'file' && /\.ya?ml$/.test(e.name)).sort((a, b) => a.name.localeCompare(b.name))) {
        const got = await this.#octokit.rest.repos.getContent({ owner, repo, path: entry.path, ref: commit });
        const data = got.data as { content?: string; encoding?: string; sha: string };
        files.push({ path: entry.path, text: Buffer.from(data.content ?? '', 'base64').toString('utf8') });
        blobs.set(entry.path, data.sha);
      }
    }
    this.#cached = { commit, branch, files, blobs };
    return this.#cached;
  }
}

/** Errors in `files` that are not among `known` (errors already on the base branch are not the edit's fault). */
function newErrors(root: string, files: ConfigFile[], known: Diagnostic[]): Diagnostic[] {
  const seen = new Set(known.map((d) => `${d.file}|${d.code}|${d.message}`));
  return loadConfigFiles(root, files).diagnostics.filter((d) => d.severity === 'error' && !seen.has(`${d.file}|${d.code}|${d.message}`));
}

function view(d: Diagnostic): DiagnosticView {
  return { file: d.file, line: d.line, column: d.column, code: d.code, message: processRedactor.scrub(d.message), hint: d.hint };
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'edit';
}
