/**
 * The `shipyard` command line. Commands live in src/cli/; this file only dispatches and turns
 * failures into exit codes: 1 for a failed run, 2 for a usage error, never a stack trace.
 */
import { UsageError, type Command, type CommandIO } from './cli/args.ts';
import { dashboardCommand } from './cli/dashboard-command.ts';
import { docsCommand } from './cli/docs-command.ts';
import { domainsCommand } from './cli/domains-command.ts';
import { netcheckCommand } from './cli/netcheck-command.ts';
import { applyCommand, driftCommand, planCommand } from './cli/plan-command.ts';
import { rlsTestCommand } from './cli/rls-test-command.ts';
import { secretsCommand } from './cli/secrets-command.ts';
import { stateCommand } from './cli/state-command.ts';
import { validateCommand } from './cli/validate.ts';
import { verifyCommand } from './cli/verify-command.ts';

const commands: Command[] = [validateCommand, planCommand, applyCommand, driftCommand, stateCommand, netcheckCommand, verifyCommand, domainsCommand, secretsCommand, docsCommand, dashboardCommand, rlsTestCommand];

function mainUsage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `Usage: shipyard <command> [options]

Shipyard turns environments/*.yaml and ventures/*.yaml into Kubernetes environments,
Vercel projects and Supabase projects, the GitOps way.

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run \`shipyard <command> --help\` for the options of a command.`;
}

export async function main(argv: string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(`${mainUsage()}\n`);
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(`shipyard: unknown command ${JSON.stringify(name)}\n\n${mainUsage()}\n`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`shipyard ${name}: ${error.message}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`shipyard ${name}: ${message}\n`);
    if (io.env.SHIPYARD_DEBUG && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    return 1;
  }
}

export async function runCli(): Promise<void> {
  const io: CommandIO = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
    isTTY: Boolean(process.stdout.isTTY),
  };
  process.exitCode = await main(process.argv.slice(2), io);
}

if (import.meta.main) await runCli();
