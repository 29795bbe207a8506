/** `shipyard plan`, `shipyard apply` and `shipyard drift`: one plan computation, three uses. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { applyPlan } from '../engine/applier.ts';
import { computePlan, type PlanResult } from '../engine/planner.ts';
import { hasChanges, type Plan } from '../model/plan.ts';
import { LockHeldError } from '../model/state.ts';
import { renderDiagnostics } from '../render/diagnostics.ts';
import { renderPlanJson } from '../render/plan-json.ts';
import { renderPlanMarkdown } from '../render/plan-markdown.ts';
import { renderPlanText } from '../render/plan-text.ts';
import { processRedactor } from '../secrets/redact.ts';
import { oneOf, parseCommandArgs, UsageError, type Command, type CommandIO } from './args.ts';
import { cliReporter, openWorkspace, type Workspace } from './workspace.ts';

const selectionOptions = {
  root: { type: 'string' },
  env: { type: 'string', multiple: true },
  venture: { type: 'string', multiple: true },
  adopt: { type: 'string', multiple: true },
  'allow-destructive': { type: 'boolean' },
} as const;

const selectionHelp = `  --root DIR            repository root (default: current directory)
  --env NAME            only this environment (repeatable)
  --venture NAME        only this venture (repeatable)
  --adopt ADDRESS       take over an existing resource Shipyard does not own yet (repeatable)
  --allow-destructive   allow deletes/replaces above the safety threshold or in protected environments`;

type Selection = { root?: string; env?: string[]; venture?: string[]; adopt?: string[]; 'allow-destructive'?: boolean };

async function withPlan<T>(io: CommandIO, values: Selection, quiet: boolean, use: (ws: Workspace, result: PlanResult) => Promise<T>): Promise<T | number> {
  const root = path.resolve(io.cwd, values.root ?? '.');
  const opened = await openWorkspace(io, root);
  if (!opened.ok) {
    io.stderr(renderDiagnostics(opened.diagnostics, 'text', 0));
    io.stderr('The configuration is invalid; fix it before planning (`shipyard validate`).\n');
    return 1;
  }
  const ws = opened.workspace;
  try {
    const result = await computePlan({
      desired: ws.desired.resources, providers: ws.providers, store: ws.store, secrets: ws.secrets, fingerprints: ws.fingerprints,
      reporter: cliReporter(io, quiet),
      options: {
        environments: values.env, ventures: values.venture, revision: ws.revision, tombstones: ws.desired.tombstones, adopt: values.adopt,
        allowDestructive: values['allow-destructive'], protectedEnvironments: ws.desired.protectedEnvironments,
      },
    });
    return await use(ws, result);
  } finally {
    await ws.close();
  }
}

function render(plan: Plan, format: 'text' | 'markdown' | 'json', io: CommandIO): string {
  const text = format === 'json' ? renderPlanJson(plan) : format === 'markdown' ? renderPlanMarkdown(plan) : renderPlanText(plan, { colour: io.isTTY && !io.env.NO_COLOR });
  return processRedactor.scrub(text);
}

const planUsage = `Usage: shipyard plan [options]

Reads live state, compares it with the config and prints what apply would change.
Secrets are masked; the plan's fingerprint ties it to the live state it was computed from.

Options:
${selectionHelp}
  --format FMT          text (default), markdown (pull-request comment) or json (stable, versioned)
  --out FILE            also write the JSON plan to FILE (for \`apply --plan\`)
  --detailed-exitcode   exit 0 when there is nothing to change, 2 when there is, 1 on error`;

export const planCommand: Command = {
  name: 'plan',
  summary: 'show what apply would change',
  usage: planUsage,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, { ...selectionOptions, format: { type: 'string' }, out: { type: 'string' }, 'detailed-exitcode': { type: 'boolean' } }, planUsage);
    if (values.help) return help(io, planUsage);
    const format = oneOf(values.format, ['text', 'markdown', 'json'] as const, 'format', 'text');
    return withPlan(io, values, format === 'json', async (_ws, { plan }) => {
      io.stdout(render(plan, format, io));
      if (values.out) writeFileSync(path.resolve(io.cwd, values.out), renderPlanJson(plan));
      if (plan.diagnostics.some((d) => d.severity === 'error')) return 1;
      return values['detailed-exitcode'] && hasChanges(plan) ? 2 : 0;
    });
  },
};

const applyUsage = `Usage: shipyard apply [options]

Plans again and applies exactly that plan: takes the environment locks, journals every step,
retries transient errors, and stops only the dependents of a failure. Re-running converges.

Options:
${selectionHelp}
  --plan FILE                 apply only if the fresh plan matches this saved plan (its fingerprint)
  --expect-fingerprint HASH   apply only if the fresh plan has this fingerprint (the reviewed plan)
  --yes                       do not ask for confirmation (required when not on a terminal)`;

export const applyCommand: Command = {
  name: 'apply',
  summary: 'apply the plan to the live systems',
  usage: applyUsage,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, { ...selectionOptions, plan: { type: 'string' }, 'expect-fingerprint': { type: 'string' }, yes: { type: 'boolean' } }, applyUsage);
    if (values.help) return help(io, applyUsage);
    if (values.plan && values['expect-fingerprint']) throw new UsageError('give either --plan or --expect-fingerprint, not both');
    const expected = values.plan ? readSavedFingerprint(path.resolve(io.cwd, values.plan)) : values['expect-fingerprint'];
    if (!values.yes) throw new UsageError('apply changes live systems: pass --yes to confirm (after reviewing `shipyard plan`)');
    return withPlan(io, values, false, async (ws, result) => {
      const { plan } = result;
      io.stdout(render(plan, 'text', io));
      if (expected && expected !== plan.fingerprint) {
        io.stderr(`shipyard apply: the plan changed since it was reviewed (expected ${expected.slice(0, 12)}, now ${plan.fingerprint.slice(0, 12)}). Nothing was applied; review the new plan above and apply it with --expect-fingerprint ${plan.fingerprint}.\n`);
        return 1;
      }
      if (plan.diagnostics.some((d) => d.severity === 'error')) {
        io.stderr('shipyard apply: the plan has errors (above); nothing was applied.\n');
        return 1;
      }
      try {
        const outcome = await applyPlan({ ...result, store: ws.store, secrets: ws.secrets, fingerprints: ws.fingerprints, reporter: cliReporter(io, false), actor: ws.actor });
        io.stdout(`\n${processRedactor.scrub(outcome.resume)}\n`);
        const smoke = await smokeChecks(ws, io);
        return outcome.status === 'failed' || !smoke ? 1 : 0;
      } catch (error) {
        if (error instanceof LockHeldError) {
          io.stderr(`shipyard apply: ${error.message}\n`);
          return 1;
        }
        throw error;
      }
    });
  },
};

const driftUsage = `Usage: shipyard drift [options]

Compares live state with git and reports any difference. Exit 0 when live matches git,
2 with a report when it does not, 1 on error.

Options:
${selectionHelp}
  --format FMT          text (default), markdown or json`;

export const driftCommand: Command = {
  name: 'drift',
  summary: 'report where live state differs from git',
  usage: driftUsage,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, { ...selectionOptions, format: { type: 'string' } }, driftUsage);
    if (values.help) return help(io, driftUsage);
    const format = oneOf(values.format, ['text', 'markdown', 'json'] as const, 'format', 'text');
    return withPlan(io, values, format === 'json', async (_ws, { plan }) => {
      if (!hasChanges(plan) && plan.complete) {
        io.stdout(format === 'json' ? renderPlanJson(plan) : 'No drift: live state matches git.\n');
        return 0;
      }
      io.stdout(render(plan, format, io));
      return 2;
    });
  },
};

function readSavedFingerprint(file: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read the saved plan ${file}: ${(error as Error).message}`);
  }
  const fingerprint = (parsed as { fingerprint?: unknown }).fingerprint;
  if (typeof fingerprint !== 'string') throw new UsageError(`${file} is not a Shipyard plan (no fingerprint); write one with \`shipyard plan --out FILE\``);
  return fingerprint;
}

function help(io: CommandIO, usage: string): number {
  io.stdout(`${usage}\n`);
  return 0;
}

/** After an apply, providers that can prove the result from the outside do so (Supabase: health, and anon sees no rows of a protected table). */
async function smokeChecks(ws: Workspace, io: CommandIO): Promise<boolean> {
  let ok = true;
  for (const provider of ws.providers) {
    const check = (provider as { smokeCheck?: (desired: Workspace['desired']['resources']) => Promise<{ address: string; table: string; ok: boolean; message?: string }[]> }).smokeCheck;
    if (!check) continue;
    for (const result of await check.call(provider, ws.desired.resources)) {
      ok &&= result.ok;
      io.stdout(`${result.ok ? '✓' : '✗'} smoke check: ${processRedactor.scrub(result.message ?? `${result.address} ${result.table}`)}\n`);
    }
  }
  return ok;
}
