/**
 * The whole pipeline end to end: real git, the GitHub emulator, the bundled actions, the
 * sandbox providers and PostgreSQL state. A pull request adds a venture and changes a quota;
 * its plan comment is kept sticky; the merge applies; `git revert -m 1` of the merge plans the
 * inverse (flagged irreversible, approved by label) and, merged, brings every provider's live
 * state back to the snapshot taken before the first merge.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMarker } from '../../src/actions/comment.ts';
import { runCli } from '../cli/helpers.ts';
import { requirePostgres } from '../harness/services.ts';
import { CANARY, PipelineWorld, pullRequestEvent, pushEvent, repoRoot, REVIEWER_TOKEN } from './pipeline-harness.ts';
import { readFileSync } from 'node:fs';
import { Octokit } from '@octokit/rest';

let world: PipelineWorld;
let baseline: Record<string, unknown>;
let pr = 0;
let mergeSha = '';

const planComments = (number: number) => world.github.repo('acme/infra').comments(number).filter((c) => parseMarker(c.body));

describe('pull request → plan comment → merge → apply → revert', () => {
  beforeAll(async () => {
    world = await PipelineWorld.create(requirePostgres());
    const baselineApply = runCli(['apply', '--yes', '--root', world.checkout], { env: world.env });
    expect(baselineApply.status, baselineApply.stderr).toBe(0);
    baseline = world.liveState();
    expect(Object.keys(baseline).length).toBeGreaterThan(60);
  });
  afterAll(async () => {
    await world?.close();
  });

  it('comments the plan of a pull request once, and updates that comment on every push', async () => {
    const base = world.head();
    world.git(world.checkout, 'checkout', '--quiet', '-b', 'add-acme-notes');
    world.write('ventures/acme-notes.yaml', readFileSync(`${repoRoot}ventures/acme-notes.yaml`, 'utf8'));
    world.write('environments/staging.yaml', world.read('environments/staging.yaml').replace('requests.cpu: "4"', 'requests.cpu: "6"'));
    const first = world.commitAll('Add acme-notes; more CPU for staging');
    world.git(world.checkout, 'push', '--quiet', 'origin', 'add-acme-notes');
    ({ number: pr } = world.github.repo('acme/infra').openPullRequest({ head: 'add-acme-notes', headSha: first, contents: world.changedContents(base), title: 'Add acme-notes' }));

    const validate = await world.runAction('validate', pullRequestEvent('opened', pr, first, 'add-acme-notes'));
    expect(validate.status, validate.stdout).toBe(0);
    const opened = await world.runAction('plan', pullRequestEvent('opened', pr, first, 'add-acme-notes'));
    expect(opened.status, opened.stdout).toBe(0);
    expect(planComments(pr)).toHaveLength(1);
    const comment = planComments(pr)[0]!;
    expect(comment.body).toMatch(/^<!-- shipyard:plan fingerprint=[0-9a-f]{64} -->\n### Shipyard plan\n\n\*\*Plan: \d+ to create, 1 to update, 0 to replace, 0 to delete/);
    expect(comment.body).toContain('supabase/acme-notes-production/project/acme-notes-production');
    expect(comment.body).toContain('/spec/hard/requests.cpu: "4" → "6"');
    expect(opened.outputs.fingerprint).toBe(parseMarker(comment.body)!.fingerprints.all);
    expect(world.github.repo('acme/infra').checkRuns(first)).toHaveLength(1);

    world.write('ventures/acme-notes.yaml', world.read('ventures/acme-notes.yaml').replace('Shared notes for small teams.', 'Shared notes for small teams, now with search.'));
    world.write('environments/staging.yaml', world.read('environments/staging.yaml').replace('requests.cpu: "6"', 'requests.cpu: "8"'));
    const second = world.commitAll('Even more CPU');
    world.git(world.checkout, 'push', '--quiet', 'origin', 'add-acme-notes');
    world.github.repo('acme/infra').pushToPullRequest(pr, { headSha: second, contents: world.changedContents(base) });
    const pushed = await world.runAction('plan', pullRequestEvent('synchronize', pr, second, 'add-acme-notes'));
    expect(pushed.status).toBe(0);
    expect(planComments(pr)).toHaveLength(1);
    expect(planComments(pr)[0]!.id).toBe(comment.id);
    expect(planComments(pr)[0]!.body).toContain('/spec/hard/requests.cpu: "4" → "8"');
    expect(parseMarker(planComments(pr)[0]!.body)!.fingerprints.all).toBe(pushed.outputs.fingerprint);
    expect(pushed.outputs.fingerprint).not.toBe(opened.outputs.fingerprint);
  });

  it('applies the reviewed plan on merge and reports it on the pull request', async () => {
    world.git(world.checkout, 'checkout', '--quiet', 'main');
    const before = world.head();
    world.git(world.checkout, 'merge', '--quiet', '--no-ff', '-m', `Merge pull request #${pr}`, 'add-acme-notes');
    mergeSha = world.head();
    world.git(world.checkout, 'push', '--quiet', 'origin', 'main');
    world.github.repo('acme/infra').mergePullRequest(pr, mergeSha);
    const apply = await world.runAction('apply', pushEvent(mergeSha, before));
    expect(apply.status, `${apply.stdout}${apply.stderr}`).toBe(0);
    expect(apply.outputs.status).toBe('done');
    const result = world.github.repo('acme/infra').comments(pr).at(-1)!;
    expect(result.body).toMatch(/^### ✅ Shipyard applied [0-9a-f]{12}/);
    expect(apply.summary).toContain('acme-notes'); // the generated docs index, published with the apply
    expect(readFileSync(`${world.checkout}/.shipyard/docs/ventures/acme-notes/env-vars.md`, 'utf8')).toContain('SUPABASE_SERVICE_ROLE_KEY');
    const second = runCli(['plan', '--root', world.checkout, '--detailed-exitcode'], { env: world.env });
    expect(second.status, second.stdout).toBe(0);
    expect(world.liveState()['kubernetes/staging/ResourceQuota/quota']).toMatchObject({ spec: { hard: { 'requests.cpu': '8' } } });
  });

  it('plans the revert as the inverse, flags what cannot be undone, and restores the previous state when merged', async () => {
    world.git(world.checkout, 'checkout', '--quiet', '-b', 'revert-acme-notes');
    world.git(world.checkout, 'revert', '--no-edit', '-m', '1', mergeSha);
    const revertSha = world.head();
    world.git(world.checkout, 'push', '--quiet', 'origin', 'revert-acme-notes');
    const { number } = world.github.repo('acme/infra').openPullRequest({ head: 'revert-acme-notes', headSha: revertSha, contents: world.changedContents(mergeSha), title: 'Revert "Add acme-notes"' });

    const unapproved = await world.runAction('plan', pullRequestEvent('opened', number, revertSha, 'revert-acme-notes'));
    expect(unapproved.status).toBe(1);
    const blocked = planComments(number)[0]!.body;
    expect(blocked).toContain('to delete');
    expect(blocked).toContain('irreversible: deletes the database and all its data');
    expect(blocked).toContain('safety.protected');
    expect(blocked).toContain('/spec/hard/requests.cpu: "8" → "4"');

    const reviewer = new Octokit({ auth: REVIEWER_TOKEN, baseUrl: world.github.url });
    await reviewer.rest.issues.addLabels({ owner: 'acme', repo: 'infra', issue_number: number, labels: ['shipyard:approve-destructive'] });
    const approved = await world.runAction('plan', pullRequestEvent('labeled', number, revertSha, 'revert-acme-notes', ['shipyard:approve-destructive']));
    expect(approved.status, approved.stdout).toBe(0);
    expect(planComments(number)).toHaveLength(1);
    expect(planComments(number)[0]!.body).not.toContain('error(s) block apply');

    world.git(world.checkout, 'checkout', '--quiet', 'main');
    const before = world.head();
    world.git(world.checkout, 'merge', '--quiet', '--no-ff', '-m', `Merge pull request #${number}`, 'revert-acme-notes');
    const revertMerge = world.head();
    world.github.repo('acme/infra').mergePullRequest(number, revertMerge);
    const apply = await world.runAction('apply', pushEvent(revertMerge, before));
    expect(apply.status, `${apply.stdout}${apply.stderr}`).toBe(0);
    expect(world.liveState()).toEqual(baseline);
  });

  it('leaves no secret in any comment, check run, log, summary, output or artifact', () => {
    const text = world.visibleText();
    expect(text.length).toBeGreaterThan(10_000);
    expect(text).not.toContain(CANARY);
  });
});
