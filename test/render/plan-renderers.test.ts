/** Golden files for the three renderers, and the comment budget on a very large plan. */
import { describe, expect, it } from 'vitest';
import { address } from '../../src/model/address.ts';
import type { Change, Plan } from '../../src/model/plan.ts';
import { renderPlanJson } from '../../src/render/plan-json.ts';
import { COMMENT_BUDGET_BYTES, planMarker, renderPlanMarkdown } from '../../src/render/plan-markdown.ts';
import { renderPlanText } from '../../src/render/plan-text.ts';
import { at, CANARY, resource, world } from '../engine/engine-helpers.ts';

async function samplePlan(): Promise<Plan> {
  const w = await world();
  const app = resource('app', 'web', { dbUrl: { $output: { address: at('db', 'main'), name: 'url', sensitive: false } }, token: { $secretRef: 'API_TOKEN' } }, { dependsOn: [at('db', 'main')], venture: 'acme' });
  await w.apply([
    resource('db', 'main', { region: 'eu', size: 1 }, { venture: 'acme' }),
    resource('db', 'cache', { region: 'eu', size: 1 }, { venture: 'acme' }),
    ...['a', 'b', 'c'].map((n) => resource('thing', n, { n: 1 })),
    app,
  ]);
  w.provider.createUnowned(at('thing', 'hand-made'), { n: 0 });
  const { plan } = await w.plan([
    resource('db', 'main', { region: 'eu', size: 2 }, { venture: 'acme' }),
    resource('db', 'cache', { region: 'us', size: 1 }, { venture: 'acme' }),
    ...['b', 'c', 'd'].map((n) => resource('thing', n, { n: 1 })),
    app,
  ]);
  return plan;
}

describe('plan renderers', () => {
  it('render the same plan as text, markdown and json (golden files)', async () => {
    const plan = await samplePlan();
    await expect(renderPlanText(plan)).toMatchFileSnapshot('golden/plan.txt');
    await expect(renderPlanText(plan, { colour: true })).toMatchFileSnapshot('golden/plan.colour.txt');
    await expect(renderPlanMarkdown(plan)).toMatchFileSnapshot('golden/plan.md');
    await expect(renderPlanJson(plan)).toMatchFileSnapshot('golden/plan.json');
    for (const text of [renderPlanText(plan), renderPlanMarkdown(plan), renderPlanJson(plan)]) expect(text).not.toContain(CANARY);
  });

  it('puts the summary first and destructive changes on top of the markdown', async () => {
    const markdown = renderPlanMarkdown(await samplePlan());
    const lines = markdown.split('\n');
    expect(lines[0]).toMatch(/^<!-- shipyard:plan fingerprint=[0-9a-f]{64} -->$/);
    expect(lines[3]).toMatch(/^\*\*Plan: 1 to create, 1 to update, 1 to replace, 1 to delete/);
    expect(markdown.indexOf('destructive change(s)')).toBeLessThan(markdown.indexOf('<details>'));
    expect(markdown.indexOf('± replace')).toBeLessThan(markdown.indexOf('+ create'));
  });

  it('keeps a 2,000-change plan within the comment budget with the summary intact', () => {
    const changes: Change[] = Array.from({ length: 2000 }, (_, i) => ({
      address: address('vercel', `venture-${String(i % 400).padStart(3, '0')}`, 'env', 'production', `KEY_${i}`),
      provider: 'vercel', kind: 'env', scope: `venture-${i % 400}`, environment: ['development', 'staging', 'production'][i % 3]!, venture: `venture-${String(i % 400).padStart(3, '0')}`,
      action: i % 50 === 0 ? 'delete' : 'update',
      fields: [{ path: '/value', before: 'x'.repeat(40), after: 'y'.repeat(40) }, { path: '/comment', before: 'old description', after: 'new description' }],
      dependsOn: [],
    }));
    const plan: Plan = {
      formatVersion: 1, fingerprint: 'f'.repeat(64), changes, unmanaged: [], diagnostics: [], complete: true,
      summary: { create: 0, update: 1960, replace: 0, delete: 40, noop: 0, unverifiable: 0, unmanaged: 0 },
    };
    const markdown = renderPlanMarkdown(plan);
    expect(Buffer.byteLength(markdown)).toBeLessThanOrEqual(COMMENT_BUDGET_BYTES);
    expect(markdown.startsWith(planMarker(plan))).toBe(true);
    expect(markdown).toContain('**Plan: 0 to create, 1960 to update, 0 to replace, 40 to delete');
    expect(markdown).toMatch(/group\(s\) with \d+ change\(s\) are not shown here/);
    expect(markdown).toContain('The full plan is in the job summary');
    expect(markdown.match(/<details>/g)!.length).toBe(markdown.match(/<\/details>/g)!.length);
    expect(markdown.match(/```/g)!.length % 2).toBe(0);
  });
});
