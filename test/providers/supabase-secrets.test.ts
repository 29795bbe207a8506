/**
 * Canary secrets (the OAuth client secrets from runner secrets, the database passwords Shipyard
 * generates, the keys and database URLs it reads) never reach plan text, markdown or JSON,
 * reporter events, errors, the journal or the inventory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VentureDoc } from '../../src/model/config.ts';
import type { Plan } from '../../src/model/plan.ts';
import { renderPlanJson } from '../../src/render/plan-json.ts';
import { renderPlanMarkdown } from '../../src/render/plan-markdown.ts';
import { renderPlanText } from '../../src/render/plan-text.ts';
import type { SupabaseProvider } from '../../src/providers/supabase/provider.ts';
import { providerFor, TOKEN } from './supabase-env.ts';
import { actions, harness, perProjectBudget, recordingReporter, refOf, repoVenture, sqlOn, startSupabase, supabaseResources, type Harness, type SupabaseWorld } from './supabase-helpers.ts';

const canaries: Record<string, string> = {};
for (const env of ['DEV', 'STAGING', 'PRODUCTION']) {
  for (const p of ['GOOGLE', 'GITHUB', 'AZURE']) canaries[`ACME_${p}_SECRET_${env}`] = `canary-${p.toLowerCase()}-${env.toLowerCase()}-0a9f3c7e`;
}

let world: SupabaseWorld;
let provider: SupabaseProvider;
let h: Harness;
let acme: VentureDoc;
const plans: Plan[] = [];
const errors: string[] = [];

beforeAll(async () => {
  world = await startSupabase({ rateLimit: perProjectBudget(3) });
  const reporter = recordingReporter();
  provider = providerFor(world.emulator.url, { reporter });
  h = await harness(provider, { secrets: canaries, reporter });
  acme = await repoVenture('acme-notes');
});
afterAll(async () => {
  await h?.store.close();
  await world?.stop();
});

describe('canary secrets', () => {
  it('appear nowhere Shipyard writes text: plans in every format, events, errors, journal, inventory', async () => {
    const first = await h.apply(supabaseResources(acme));
    plans.push(first.plan);
    expect(first.outcome.status).toBe('done');
    const second = await h.plan(supabaseResources(acme));
    plans.push(second.plan);
    expect(actions(second.plan)).toEqual({});

    // A rotated OAuth secret: planned as "[secret] (changed)", applied; then an API error that echoes the new one.
    canaries.ACME_GITHUB_SECRET_STAGING = 'canary-github-staging-rotated-5e6d';
    const rotated = await h.plan(supabaseResources(acme));
    plans.push(rotated.plan);
    expect(actions(rotated.plan)).toEqual({ 'supabase/acme-notes-staging/auth/config': 'update' });
    expect(rotated.plan.changes.find((c) => c.action === 'update')!.fields.find((f) => f.path === '/external_github_secret')).toMatchObject({ sensitive: true, after: '[secret] (changed)' });
    world.emulator.injectFault({
      kind: 'status', status: 400, times: 1,
      body: { message: `external_github_secret ${canaries.ACME_GITHUB_SECRET_STAGING} is not valid for client Iv1.acme0notes0app (token ${TOKEN})` },
      match: { method: 'PATCH', path: '/v1/projects/{ref}/config/auth' },
    });
    const failed = await h.apply(supabaseResources(acme));
    plans.push(failed.plan);
    expect(failed.outcome.failed).toEqual([{ address: 'supabase/acme-notes-staging/auth/config', error: expect.stringMatching(/^supabase\/acme-notes-staging\/auth\/config: patchAuthConfig .* external_github_secret \[secret\] is not valid .*\(token \[secret\]\)/) }]);
    errors.push(...failed.outcome.failed.map((f) => f.error));
    const retried = await h.apply(supabaseResources(acme));
    plans.push(retried.plan);
    expect(retried.outcome.status).toBe('done');
    expect(world.emulator.state.rawAuthConfig(refOf(world.emulator, 'acme-notes-staging'))['external_github_secret']).toBe('canary-github-staging-rotated-5e6d');

    // What the secrets are: runner secrets, the passwords kept in each project, the keys and URLs read back.
    const secrets = [...Object.values(canaries), 'canary-github-staging-0a9f3c7e', TOKEN];
    for (const env of ['development', 'staging', 'production']) {
      const name = `acme-notes-${env}`;
      const [kept] = await sqlOn(world.emulator, name, `select value from shipyard.credentials`);
      secrets.push(String(kept!['value']));
      const [live] = await provider.kinds.find((k) => k.kind === 'project')!.list(name);
      for (const output of ['serviceRoleKey', 'secretKey', 'databaseUrl']) secrets.push((live!.outputs![output] as { reveal(): string }).reveal());
    }
    expect(secrets.every((s) => s.length >= 12)).toBe(true);

    const texts: Record<string, string> = {
      'plan text': plans.map((p) => renderPlanText(p)).join('\n'),
      'plan markdown': plans.map((p) => renderPlanMarkdown(p)).join('\n'),
      'plan json': plans.map((p) => renderPlanJson(p)).join('\n'),
      'diagnostics': JSON.stringify(plans.map((p) => p.diagnostics)),
      'reporter events': JSON.stringify(h.reporter.events),
      errors: errors.join('\n'),
      journal: JSON.stringify(await h.store.readJournal()),
      inventory: JSON.stringify(await h.store.listInventory()),
    };
    expect(texts.journal).toContain('is not valid for client'); // the failure is journalled, scrubbed
    for (const [where, text] of Object.entries(texts)) {
      expect(text.length, where).toBeGreaterThan(0);
      for (const secret of secrets) expect(text.includes(secret), `${where} contains a secret`).toBe(false);
    }
    // The inventory holds fingerprints of what was written, never values.
    const auth = (await h.store.listInventory()).find((e) => e.address === 'supabase/acme-notes-staging/auth/config')!;
    expect(Object.keys(auth.fingerprints).sort()).toEqual(['/external_azure_secret', '/external_github_secret', '/external_google_secret']);
  });
});
