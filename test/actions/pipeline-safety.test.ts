/**
 * The pipeline's safety paths, each on its own world: forks, a plan that changed since review,
 * two merges racing, drift issues, and a sharded plan aggregated into one comment.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseMarker } from '../../src/actions/comment.ts';
import { openPostgresStore } from '../../src/state/postgres.ts';
import { runCli } from '../cli/helpers.ts';
import { requirePostgres } from '../harness/services.ts';
import { PipelineWorld, pullRequestEvent, pushEvent } from './pipeline-harness.ts';

let world: PipelineWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function newWorld(): Promise<PipelineWorld> {
  world = await PipelineWorld.create(requirePostgres());
  const baseline = runCli(['apply', '--yes', '--root', world.checkout], { env: world.env });
  expect(baseline.status, baseline.stderr).toBe(0);
  return world;
}

const quota = (from: string, to: string) => (text: string) => {
  if (!text.includes(from)) throw new Error(`no ${from}`);
  return text.replace(from, to);
};
const comments = (w: PipelineWorld, n: number) => w.github.repo('acme/infra').comments(n);

describe('pipeline safety', () => {
  it('validates a fork pull request but never plans it, and says why', async () => {
    const w = await newWorld();
    const { number, headSha } = w.openPullRequest('from-fork', { 'environments/staging.yaml': quota('pods: "50"', 'pods: "60"') });
    const event = pullRequestEvent('opened', number, headSha, 'from-fork');
    (event.payload.pull_request as { head: { repo: { full_name: string } } }).head.repo.full_name = 'stranger/infra';
    expect((await w.runAction('validate', event)).status).toBe(0);
    const plan = await w.runAction('plan', event);
    expect(plan.status).toBe(0);
    expect(comments(w, number)).toHaveLength(1);
    expect(comments(w, number)[0]!.body).toContain('comes from a fork, so it gets validation only');
    expect(w.github.repo('acme/infra').checkRuns()).toEqual([]);
  });

  it('stops the apply when the plan changed since review, and posts the new plan', async () => {
    const w = await newWorld();
    const { number, headSha } = w.openPullRequest('more-pods', { 'environments/staging.yaml': quota('pods: "50"', 'pods: "60"') });
    expect((await w.runAction('plan', pullRequestEvent('opened', number, headSha, 'more-pods'))).status).toBe(0);
    w.editLive('kubernetes/staging/LimitRange/limits', (state) => {
      state.spec.limits[0].max.cpu = '3';
    });
    const live = JSON.stringify(w.liveState());
    const { sha, before } = w.merge('more-pods', number);
    const apply = await w.runAction('apply', pushEvent(sha, before));
    expect(apply.status).toBe(1);
    expect(comments(w, number).at(-1)!.body).toMatch(/^### ⚠️ Shipyard apply stopped: the plan changed since review/);
    expect(comments(w, number).at(-1)!.body).toContain('/spec/limits: ');
    expect(JSON.stringify(w.liveState())).toBe(live); // nothing was applied
    // The stop comment shows the new plan but is not a review: re-running still refuses.
    expect((await w.runAction('apply', pushEvent(sha, before))).status).toBe(1);
    expect(JSON.stringify(w.liveState())).toBe(live);
  });

  it('serializes two racing applies through the lock: they never interleave', async () => {
    const w = await newWorld();
    const a = w.openPullRequest('quota', { 'environments/staging.yaml': quota('requests.cpu: "4"', 'requests.cpu: "5"') });
    expect((await w.runAction('plan', pullRequestEvent('opened', a.number, a.headSha, 'quota'))).status).toBe(0);
    const b = w.openPullRequest('limits', { 'environments/staging.yaml': quota('max: { cpu: "2", memory: 2Gi }', 'max: { cpu: "3", memory: 2Gi }') });
    expect((await w.runAction('plan', pullRequestEvent('opened', b.number, b.headSha, 'limits'))).status).toBe(0);
    const mergeA = w.merge('quota', a.number);
    const mergeB = w.merge('limits', b.number);
    w.env.SHIPYARD_SANDBOX_LATENCY_MS = '150';
    // Two runners, each with its own checkout of its own merge commit.
    const first = w.runAction('apply', pushEvent(mergeA.sha, mergeA.before), {}, w.worktree(mergeA.sha));
    // The second push arrives while the first apply holds the locks (as the workflow queue orders them).
    const watcher = await openPostgresStore(w.env.SHIPYARD_STATE!);
    for (let i = 0; i < 200 && (await watcher.listLocks()).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await watcher.listLocks()).length).toBeGreaterThan(0);
    await watcher.close();
    const second = w.runAction('apply', pushEvent(mergeB.sha, mergeB.before), {}, w.worktree(mergeB.sha));
    const [ra, rb] = await Promise.all([first, second]);
    expect(ra.status, ra.stdout.split('\n').filter((l) => l.startsWith('::error')).join('\n') + comments(w, a.number).at(-1)?.body).toBe(0);
    expect(rb.status, rb.stdout.split('\n').filter((l) => l.startsWith('::error')).join('\n') + comments(w, b.number).at(-1)?.body).toBe(0);
    const store = await openPostgresStore(w.env.SHIPYARD_STATE!);
    const journal = await store.readJournal();
    await store.close();
    const runs = [...new Set(journal.map((r) => r.runId))].slice(-2);
    const span = (run: string) => journal.filter((r) => r.runId === run).map((r) => r.at).sort();
    const [one, two] = runs.map(span) as [string[], string[]];
    expect(one.at(-1)! <= two[0]! || two.at(-1)! <= one[0]!).toBe(true);
    expect(journal.filter((r) => r.runId === runs[0]).map((r) => r.address)).toContain('kubernetes/staging/ResourceQuota/quota');
    expect(journal.filter((r) => r.runId === runs[1]).map((r) => r.address)).toContain('kubernetes/staging/LimitRange/limits');
  });

  it('keeps one drift issue per environment while live differs from git, and closes it when clean', async () => {
    const w = await newWorld();
    w.editLive('kubernetes/staging/ResourceQuota/quota', (state) => {
      state.spec.hard.pods = '999';
    });
    const head = w.head();
    const drift = { name: 'schedule', sha: head, ref: 'refs/heads/main', payload: {} };
    expect((await w.runAction('drift', drift)).outputs.drift).toBe('staging');
    await w.runAction('drift', drift);
    const issues = w.github.repo('acme/infra').issues().filter((i) => !('pull' in i && i.pull));
    const driftIssues = issues.filter((i) => i.title === 'Drift in staging');
    expect(driftIssues).toHaveLength(1);
    expect(driftIssues[0]!.state).toBe('open');
    expect(driftIssues[0]!.body).toContain('/spec/hard/pods: "999" → "50"');
    expect(runCli(['apply', '--yes', '--root', w.checkout], { env: w.env }).status).toBe(0);
    expect((await w.runAction('drift', drift)).outputs.drift).toBe('');
    expect(w.github.repo('acme/infra').issues().find((i) => i.title === 'Drift in staging')!.state).toBe('closed');
  });

  it('shards the plan per environment, aggregates one comment, and applies each shard under its own lock', async () => {
    const w = await newWorld();
    const { number, headSha } = w.openPullRequest('two-envs', {
      'environments/staging.yaml': quota('pods: "50"', 'pods: "55"'),
      'environments/development.yaml': quota('pods: "50"', 'pods: "65"'),
    });
    const event = pullRequestEvent('opened', number, headSha, 'two-envs');
    for (const environment of ['development', 'staging', 'production', 'system']) {
      const shard = await w.runAction('plan', event, { environments: environment, comment: 'false', 'plan-file': `.shipyard/shards/plan-${environment}.json` });
      expect(shard.status, shard.stdout).toBe(0);
    }
    expect(comments(w, number)).toHaveLength(0);
    expect((await w.runAction('plan', event, { 'aggregate-dir': '.shipyard/shards' })).status).toBe(0);
    expect(comments(w, number)).toHaveLength(1);
    const aggregated = comments(w, number)[0]!.body;
    expect(Object.keys(parseMarker(aggregated)!.fingerprints).sort()).toEqual(['development', 'production', 'staging', 'system']);
    expect(aggregated).toMatch(/\*\*Plan: 0 to create, 2 to update/);
    const { sha, before } = w.merge('two-envs', number);
    for (const environment of ['development', 'staging', 'production', 'system']) {
      const apply = await w.runAction('apply', pushEvent(sha, before), { environments: environment });
      expect(apply.status, `${environment}: ${apply.stdout}`).toBe(0);
    }
    expect(w.liveState()['kubernetes/development/ResourceQuota/quota']).toMatchObject({ spec: { hard: { pods: '65' } } });
    expect(w.liveState()['kubernetes/staging/ResourceQuota/quota']).toMatchObject({ spec: { hard: { pods: '55' } } });
  });
});
