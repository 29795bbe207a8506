/** `shipyard state`: what Shipyard owns, what it did, and who holds the locks. */
import path from 'node:path';
import { parseDuration } from '../config/duration.ts';
import { parseCommandArgs, UsageError, type Command } from './args.ts';
import { openWorkspace } from './workspace.ts';
import { renderDiagnostics } from '../render/diagnostics.ts';

const usage = `Usage: shipyard state <list|show|unlock|prune> [options]

  list [--env NAME]          the inventory: every address Shipyard owns
  show [--run ID] [--env NAME] [--limit N]
                             the apply journal, newest run by default
  unlock ENV                 remove the lock of ENV (after an apply that died)
  prune --older-than 180d    remove journal runs that ended before then
                             (each environment's latest run is always kept)

Options:
  --root DIR                 repository root (default: current directory)`;

export const stateCommand: Command = {
  name: 'state',
  summary: 'inspect the inventory and journal, prune old journal runs, or release a stuck lock',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { root: { type: 'string' }, env: { type: 'string' }, run: { type: 'string' }, limit: { type: 'string' }, 'older-than': { type: 'string' } }, usage);
    if (values.help) {
      io.stdout(`${usage}\n`);
      return 0;
    }
    const [sub, arg] = positionals;
    if (!sub || !['list', 'show', 'unlock', 'prune'].includes(sub)) throw new UsageError(`expected list, show, unlock or prune\n\n${usage}`);
    if (sub === 'unlock' && !arg) throw new UsageError('unlock needs the environment name, e.g. `shipyard state unlock production`');
    let cutoff: string | undefined;
    if (sub === 'prune') {
      const age = values['older-than'];
      if (!age) throw new UsageError('prune needs --older-than, e.g. `shipyard state prune --older-than 180d`');
      try {
        cutoff = new Date(Date.now() - parseDuration(age)).toISOString();
      } catch (error) {
        throw new UsageError(`--older-than: ${(error as Error).message}`);
      }
    }
    const opened = await openWorkspace(io, path.resolve(io.cwd, values.root ?? '.'));
    if (!opened.ok) {
      io.stderr(renderDiagnostics(opened.diagnostics, 'text', 0));
      return 1;
    }
    const { store } = opened.workspace;
    try {
      if (sub === 'list') {
        const entries = await store.listInventory(values.env);
        for (const e of entries) io.stdout(`${e.address}  ${e.environment}  ${e.status}${e.providerId ? `  id=${e.providerId}` : ''}${Object.keys(e.fingerprints).length ? `  secrets=${Object.keys(e.fingerprints).length}` : ''}\n`);
        const locks = await store.listLocks();
        for (const lock of locks) io.stdout(`lock ${lock.environment}: ${lock.owner} until ${lock.expiresAt}\n`);
        io.stdout(`${entries.length} owned resource(s)\n`);
        return 0;
      }
      if (sub === 'show') {
        let runId = values.run;
        if (!runId) runId = (await store.readJournal({ limit: 1, environment: values.env })).at(-1)?.runId;
        if (!runId) {
          io.stdout('The journal is empty: nothing has been applied yet.\n');
          return 0;
        }
        const records = await store.readJournal({ runId, environment: values.env, limit: values.limit ? Number(values.limit) : undefined });
        io.stdout(`run ${runId} by ${records[0]?.actor ?? '?'} (plan ${records[0]?.planFingerprint.slice(0, 12) ?? '?'}${records[0]?.revision ? `, revision ${records[0].revision.slice(0, 12)}` : ''})\n`);
        for (const r of records) io.stdout(`${r.at}  ${r.outcome.padEnd(9)}  ${r.action.padEnd(7)}  ${r.address}${r.message ? `  ${r.message}` : ''}\n`);
        return 0;
      }
      if (sub === 'prune') {
        const pruned = await store.pruneJournal(cutoff!);
        io.stdout(`Removed ${pruned.runs} run(s) (${pruned.records} journal record(s)) that ended before ${cutoff}.\n`);
        return 0;
      }
      const removed = await store.forceUnlock(arg!);
      io.stdout(removed ? `Removed the lock on ${arg} held by ${removed.owner}.\n` : `${arg} was not locked.\n`);
      return 0;
    } finally {
      await opened.workspace.close();
    }
  },
};
