/** The status page's rotation column: baseline Secrets and rotated variables, from the config and the inventory. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { buildOverview } from '../../src/dashboard/overview.ts';
import { address } from '../../src/model/address.ts';
import type { InventoryEntry } from '../../src/model/state.ts';

const repoRoot = new URL('../../', import.meta.url).pathname;
const DAY = 86_400_000;

describe('rotation status', () => {
  it('shows each rotated variable per environment: ok, due within the grace period, overdue after it, never written', async () => {
    const config = await loadConfig(repoRoot);
    const now = new Date('2026-11-24T12:00:00.000Z');
    const written = (name: string, environment: string, daysAgo: number): InventoryEntry => ({
      address: address('vercel', 'acme-notes', 'env', name, 'SESSION_SECRET'), environment, venture: 'acme-notes', fingerprints: {}, status: 'applied',
      updatedAt: new Date(now.getTime() - daysAgo * DAY).toISOString(),
    });
    // SESSION_SECRET rotates every 30d with a 7d grace period (ventures/acme-notes.yaml).
    const inventory = [written('production', 'production', 33), written('preview', 'staging', 40)];
    const overview = buildOverview({ config, inventory, journal: [], locks: [], now });
    const rotation = (environment: string) => overview.environments.find((e) => e.name === environment)!.rotations.find((r) => r.secret.startsWith('acme-notes/SESSION_SECRET'));
    expect(rotation('production')).toMatchObject({ secret: 'acme-notes/SESSION_SECRET (production)', state: 'due', every: '30d', grace: '7d', dueAt: '2026-11-21T12:00:00.000Z' });
    expect(rotation('staging')).toMatchObject({ secret: 'acme-notes/SESSION_SECRET (preview)', state: 'overdue' });
    expect(rotation('development')).toMatchObject({ secret: 'acme-notes/SESSION_SECRET (development)', state: 'never-written' });
    expect(rotation('system')).toBeUndefined();
    // Baseline Secrets are listed as before.
    expect(overview.environments.find((e) => e.name === 'production')!.rotations.map((r) => r.secret)).toContain('session-signing-key');
  });
});
