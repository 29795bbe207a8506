/** `shipyard docs`: write the generated guides (Markdown and sample manifests) to a directory. */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { hasErrors, loadConfig } from '../config/load.ts';
import { generateDocs } from '../docs/generate.ts';
import type { DocsInput } from '../docs/facts.ts';
import { snapshotState } from '../docs/state-snapshot.ts';
import { compileDesiredState } from '../providers/desired-state.ts';
import { renderDiagnostics } from '../render/diagnostics.ts';
import { processRedactor } from '../secrets/redact.ts';
import { parseCommandArgs, UsageError, type Command } from './args.ts';
import { openWorkspace } from './workspace.ts';

const usage = `Usage: shipyard docs [--root DIR] [--out DIR] [--source-url URL] [--no-state]

Writes the documentation generated from the validated config and the state store: an access
guide per environment, the application-team handoff (with sample manifests), per venture an
overview, an env-var reference, a runbook and a backup and recovery guide, and the change and
rollback guide. The same config and state give the same files; no secret value is ever written.

Options:
  --root DIR          repository root (default: current directory)
  --out DIR           where to write (default: .shipyard/docs under the root); files written by an
                      earlier run that are no longer generated are removed, nothing else is touched
  --source-url URL    link repository files as URL/<path> (e.g. https://github.com/OWNER/REPO/blob/SHA)
                      instead of relative paths, for copies published outside the repository
  --no-state          do not read the state store (config only; no inventory, journal or locks)`;

/** Lists what the previous run wrote, so that a removed venture's pages do not linger. */
const MANIFEST = '.shipyard-docs.json';

export const docsCommand: Command = {
  name: 'docs',
  summary: 'write generated guides: access, handoff, env vars, runbook, recovery',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { root: { type: 'string' }, out: { type: 'string' }, 'source-url': { type: 'string' }, 'no-state': { type: 'boolean' } }, usage);
    if (values.help) {
      io.stdout(`${usage}\n`);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}\n\n${usage}`);
    const sourceUrl = values['source-url'];
    if (sourceUrl !== undefined && !/^https?:\/\/\S+$/.test(sourceUrl)) throw new UsageError(`--source-url must be an http(s) URL (got ${JSON.stringify(sourceUrl)})`);
    const root = path.resolve(io.cwd, values.root ?? '.');
    const out = path.resolve(io.cwd, values.out ?? path.join(root, '.shipyard', 'docs'));
    const links = { repository: sourceUrl ?? (path.relative(out, root).split(path.sep).join('/') || '.') };

    let input: DocsInput;
    if (values['no-state']) {
      const config = await loadConfig(root);
      if (hasErrors(config.diagnostics)) return invalid(io, config.diagnostics);
      input = { config, desired: compileDesiredState(config), links, ...(io.env.GITHUB_SHA ? { revision: io.env.GITHUB_SHA } : {}) };
    } else {
      const opened = await openWorkspace(io, root);
      if (!opened.ok) return invalid(io, opened.diagnostics);
      const ws = opened.workspace;
      try {
        input = { config: ws.config, desired: ws.desired, links, state: await snapshotState(ws.store), ...(ws.revision ? { revision: ws.revision } : {}) };
      } finally {
        await ws.close();
      }
    }

    const files = generateDocs(input);
    mkdirSync(out, { recursive: true });
    for (const stale of previousFiles(out)) {
      if (!files.has(stale)) rmSync(path.join(out, stale), { force: true });
    }
    for (const [relative, text] of files) {
      const target = path.join(out, relative);
      mkdirSync(path.dirname(target), { recursive: true });
      // Belt and braces: the generators never see a secret value, but anything this process resolved is scrubbed.
      writeFileSync(target, processRedactor.scrub(text));
      io.stdout(`${path.relative(io.cwd, target) || target}\n`);
    }
    writeFileSync(path.join(out, MANIFEST), `${JSON.stringify([...files.keys()], null, 2)}\n`);
    io.stdout(`Wrote ${files.size} file(s) to ${path.relative(io.cwd, out) || '.'}; start at ${path.relative(io.cwd, path.join(out, 'index.md'))}.\n`);
    return 0;
  },
};

function invalid(io: { stderr: (text: string) => void }, diagnostics: Parameters<typeof renderDiagnostics>[0]): number {
  io.stderr(renderDiagnostics(diagnostics, 'text', 0));
  io.stderr('The configuration is invalid; fix it before generating docs (`shipyard validate`).\n');
  return 1;
}

function previousFiles(out: string): string[] {
  const file = path.join(out, MANIFEST);
  if (!existsSync(file)) return [];
  try {
    const list = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    // Only plain relative paths inside the directory: a tampered manifest must not delete elsewhere.
    return Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string' && !path.isAbsolute(p) && !p.split(/[\\/]/).includes('..')) : [];
  } catch {
    return [];
  }
}
