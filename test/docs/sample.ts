/** The repository's own sample config as docs input, with links that resolve from test/docs/golden/. */
import { hasErrors, loadConfig } from '../../src/config/load.ts';
import type { DocsInput } from '../../src/docs/facts.ts';
import { compileDesiredState } from '../../src/providers/desired-state.ts';

export const repoRoot = new URL('../../', import.meta.url).pathname;
export const goldenDir = new URL('./golden/', import.meta.url).pathname;
/** From test/docs/golden/ up to the repository root. */
export const goldenLinks = { repository: '../../..' };

export async function sampleInput(): Promise<DocsInput> {
  const config = await loadConfig(repoRoot);
  if (hasErrors(config.diagnostics)) throw new Error(`the sample config is invalid: ${JSON.stringify(config.diagnostics)}`);
  return { config, desired: compileDesiredState(config), links: goldenLinks };
}
