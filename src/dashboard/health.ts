/**
 * Is each provider reachable with the configured credentials? One cheap probe each (the
 * provider's own `ping()`; for GitHub, reading the repository), bounded by a timeout so that a
 * dead endpoint shows as failing instead of hanging the status page.
 */
import type { Octokit } from '@octokit/rest';
import type { Provider } from '../model/provider.ts';
import { processRedactor } from '../secrets/redact.ts';
import { MemoryProvider } from '../sandbox/memory-provider.ts';
import type { ProviderHealth } from './api-types.ts';

export interface GitHubTarget {
  octokit: Octokit;
  owner: string;
  repo: string;
}

/** The providers the dashboard reports on, in this order, even when one is not wired. */
export const PROVIDER_NAMES = ['kubernetes', 'vercel', 'supabase'];

export async function checkHealth(providers: Provider[], github: GitHubTarget | undefined, options: { timeoutMs: number }): Promise<ProviderHealth[]> {
  const byName = new Map(providers.map((p) => [p.name, p]));
  const names = [...PROVIDER_NAMES, ...providers.map((p) => p.name).filter((n) => !PROVIDER_NAMES.includes(n))];
  const checks = names.map((name) => {
    const provider = byName.get(name);
    if (!provider) return Promise.resolve(fixed(name, 'not-configured', 'not wired in this workspace'));
    // The in-memory sandbox has nothing to connect to: say so rather than pretend it is live.
    if (provider instanceof MemoryProvider) return Promise.resolve(fixed(name, 'sandbox', 'the built-in sandbox (no live system)'));
    if (!provider.ping) return Promise.resolve(fixed(name, 'unknown', 'this provider has no health probe'));
    return probe(name, () => provider.ping!(), options.timeoutMs);
  });
  checks.push(
    github
      ? probe('github', async () => {
        await github.octokit.rest.repos.get({ owner: github.owner, repo: github.repo });
      }, options.timeoutMs)
      : Promise.resolve(fixed('github', 'not-configured', 'set GITHUB_TOKEN and GITHUB_REPOSITORY (and GITHUB_API_URL for GitHub Enterprise) to open pull requests')),
  );
  return Promise.all(checks);
}

function fixed(name: string, state: ProviderHealth['state'], reason: string): ProviderHealth {
  return { name, state, reason, checkedAt: new Date().toISOString() };
}

async function probe(name: string, call: () => Promise<void>, timeoutMs: number): Promise<ProviderHealth> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([call(), timeout]);
    return { name, state: 'connected', latencyMs: Date.now() - started, checkedAt: new Date().toISOString() };
  } catch (error) {
    return { name, state: 'failing', reason: describe(error), latencyMs: Date.now() - started, checkedAt: new Date().toISOString() };
  } finally {
    clearTimeout(timer);
  }
}

/** The error's message and its root cause (ECONNREFUSED hides in `cause`), scrubbed. */
function describe(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const message = current instanceof Error ? current.message : String(current);
    const code = (current as { code?: unknown }).code;
    const text = typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
    if (text && !parts.some((p) => p.includes(text))) parts.push(text);
    current = (current as { cause?: unknown }).cause;
  }
  return processRedactor.scrub(parts.join(': ') || 'unknown error').slice(0, 500);
}
