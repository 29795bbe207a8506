import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { schemas } from '../../src/config/schema.ts';

const repoRoot = new URL('../../', import.meta.url).pathname;

/** Every property of every schema, with its JSON path, so that missing descriptions can be named. */
function properties(node: unknown, path: string, out: { path: string; schema: Record<string, unknown> }[] = []) {
  if (typeof node !== 'object' || node === null) return out;
  const record = node as Record<string, unknown>;
  for (const [name, child] of Object.entries((record.properties as Record<string, unknown>) ?? {})) {
    out.push({ path: `${path}.properties.${name}`, schema: child as Record<string, unknown> });
  }
  for (const [key, child] of Object.entries(record)) properties(child, `${path}.${key}`, out);
  return out;
}

describe('schemas', () => {
  it('describe every property (the descriptions feed docs and editor completion)', () => {
    const missing = Object.entries(schemas)
      .flatMap(([name, schema]) => properties(schema, name))
      // if/then hold conditions, not properties; a $ref property takes the description of its definition.
      .filter(({ path }) => !/\.(if|then)\./.test(path))
      .filter(({ schema }) => typeof schema.description !== 'string' && typeof schema.$ref !== 'string')
      .map(({ path }) => path);
    expect(missing).toEqual([]);
  });

  it('accept this repository own configuration', async () => {
    const config = await loadConfig(repoRoot);
    expect(config.diagnostics).toEqual([]);
    expect(config.environments.map((e) => e.doc.metadata.name).sort()).toEqual(['development', 'production', 'staging', 'system']);
    expect(config.ventures.length).toBeGreaterThanOrEqual(2);
  });

  it('are referenced by a yaml-language-server line in every sample', () => {
    for (const dir of ['environments', 'ventures']) {
      for (const file of readdirSync(`${repoRoot}${dir}`)) {
        const first = readFileSync(`${repoRoot}${dir}/${file}`, 'utf8').split('\n')[0];
        expect(first, `${dir}/${file}`).toMatch(/^# yaml-language-server: \$schema=\.\.\/schemas\/(environment|venture)\.schema\.json$/);
      }
    }
  });
});
