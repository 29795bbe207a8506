/** Property test: whatever the documents hold, validation returns diagnostics and never throws. */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfigFiles } from '../../src/config/load.ts';
import { baseFiles, ventureYaml } from './fixtures.ts';
import { parse } from 'yaml';

const anyJson = fc.jsonValue({ maxDepth: 5 });

/** A valid venture with one node replaced by a random value: close enough to reach deep checks. */
const mutatedVenture = fc
  .tuple(fc.array(fc.oneof(fc.constantFrom('spec', 'vercel', 'env', 'supabase', 'projects', 'value', 'database', 'tables', 'policies', 'domains'), fc.nat(3)), { maxLength: 6 }), anyJson)
  .map(([path, value]) => {
    const doc = parse(ventureYaml) as Record<string, unknown>;
    let node: Record<string, unknown> | unknown[] = doc;
    for (const key of path.slice(0, -1)) {
      const next = (node as Record<string, unknown>)[key as never];
      if (typeof next !== 'object' || next === null) break;
      node = next as Record<string, unknown>;
    }
    (node as Record<string, unknown>)[String(path.at(-1) ?? 'spec')] = value;
    return stringify(doc);
  });

describe('validate never throws', () => {
  it('on random YAML-ish text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        const result = loadConfigFiles('/repo', [...baseFiles(), { path: 'ventures/random.yaml', text }]);
        expect(Array.isArray(result.diagnostics)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('on random documents', () => {
    fc.assert(
      fc.property(anyJson, (value) => {
        const result = loadConfigFiles('/repo', [...baseFiles(), { path: 'environments/random.yaml', text: stringify(value) }]);
        for (const d of result.diagnostics) expect(d.line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });

  it('on valid documents with one node replaced', () => {
    fc.assert(
      fc.property(mutatedVenture, (text) => {
        const files = baseFiles().map((f) => (f.path === 'ventures/demo.yaml' ? { ...f, text } : f));
        const result = loadConfigFiles('/repo', files);
        for (const d of result.diagnostics) {
          expect(d.file).toMatch(/\.yaml$/);
          expect(d.line).toBeGreaterThanOrEqual(1);
          expect(d.column).toBeGreaterThanOrEqual(1);
          expect(d.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });
});
