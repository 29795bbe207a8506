/** `shipyard dashboard`: serve the status dashboard on loopback until interrupted. */
import path from 'node:path';
import { startDashboard } from '../dashboard/server.ts';
import type { GitHubSettings } from '../dashboard/gitops.ts';
import { renderDiagnostics } from '../render/diagnostics.ts';
import { MemoryProvider } from '../sandbox/memory-provider.ts';
import { openSandbox } from '../sandbox/sandbox.ts';
import { parseCommandArgs, UsageError, type Command } from './args.ts';
import { openWorkspace } from './workspace.ts';

const usage = `Usage: shipyard dashboard [options]

Serves a small web app on 127.0.0.1: provider status, last apply, drift, pending rotation and
domain health per environment and venture; the env-var manager and the domain wizard, whose
changes become a branch and a pull request (never a live change); and the provisioning log,
streaming while an apply runs. Secret values are never shown or returned.

Options:
  --root DIR          repository root (default: current directory)
  --port N            port on 127.0.0.1 (default 4400; 0 picks a free one)
  --resolver IP:PORT  DNS server for domain checks (repeatable; default: the system's resolvers)

Pull requests need GITHUB_TOKEN and GITHUB_REPOSITORY (owner/name), with GITHUB_API_URL for
GitHub Enterprise and SHIPYARD_BASE_BRANCH for a base other than the default branch. Providers,
state store and secrets are configured as for \`shipyard plan\` (SHIPYARD_PROVIDERS, SHIPYARD_STATE, ...).`;

export const dashboardCommand: Command = {
  name: 'dashboard',
  summary: 'serve the status dashboard on 127.0.0.1',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { root: { type: 'string' }, port: { type: 'string' }, resolver: { type: 'string', multiple: true } }, usage);
    if (values.help) {
      io.stdout(`${usage}\n`);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}\n\n${usage}`);
    const port = values.port === undefined ? 4400 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535 (got ${JSON.stringify(values.port)})`);
    const github = githubSettings(io.env);

    const opened = await openWorkspace(io, path.resolve(io.cwd, values.root ?? '.'));
    if (!opened.ok) {
      io.stderr(renderDiagnostics(opened.diagnostics, 'text', 0));
      io.stderr('The configuration is invalid; fix it first (`shipyard validate`).\n');
      return 1;
    }
    const workspace = opened.workspace;
    let dashboard;
    try {
      // Sandbox providers hold live state loaded from files at start; drift must see later applies from other shells.
      const sandboxDir = io.env.SHIPYARD_SANDBOX_DIR ?? path.join(workspace.root, '.shipyard', 'sandbox');
      const currentProviders = () => {
        const fresh = openSandbox(sandboxDir).providers;
        return workspace.providers.map((p) => (p instanceof MemoryProvider ? (fresh.find((f) => f.name === p.name) ?? p) : p));
      };
      dashboard = await startDashboard({ sources: workspace, port, currentProviders, ...(github ? { github } : {}), ...(values.resolver ? { resolverServers: values.resolver } : {}) });
    } catch (error) {
      await workspace.close();
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new Error(`port ${port} is in use: pick another with --port`, { cause: error });
      throw error;
    }
    io.stdout(`Shipyard dashboard on ${dashboard.url} (${workspace.mode} providers${github ? `, pull requests to ${github.owner}/${github.repo}` : ', no GitHub: edits can be previewed only'}). Ctrl-C stops it.\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await dashboard.stop();
    await workspace.close();
    return 0;
  },
};

function githubSettings(env: NodeJS.ProcessEnv): GitHubSettings | undefined {
  const token = env.GITHUB_TOKEN;
  const repository = env.GITHUB_REPOSITORY;
  if (!token || !repository) return undefined;
  const [owner, repo, ...rest] = repository.split('/');
  if (!owner || !repo || rest.length > 0) throw new UsageError(`GITHUB_REPOSITORY must be owner/name (got ${JSON.stringify(repository)})`);
  return { token, owner, repo, ...(env.GITHUB_API_URL ? { apiUrl: env.GITHUB_API_URL } : {}), ...(env.SHIPYARD_BASE_BRANCH ? { baseBranch: env.SHIPYARD_BASE_BRANCH } : {}) };
}
