/**
 * A second venture, written here rather than in ventures/: another organization and region,
 * GitHub sign-in only, and boards/cards with policies of every shape (all, restrictive,
 * subqueries on another table, insert/delete only), plus its RLS expectations.
 */
import type { VentureDoc } from '../../src/model/config.ts';
import { OTHER_ORG } from './supabase-env.ts';

export const USER_A = '11111111-1111-4111-8111-111111111111';
export const USER_B = '22222222-2222-4222-8222-222222222222';

const ownBoard = 'exists (select 1 from public.boards b where b.id = board_id and b.owner_id = (select auth.uid()))';

export function betaVenture(): VentureDoc {
  const project = (env: string) => ({
    siteUrl: env === 'production' ? 'https://beta-board.test' : `https://${env}.beta-board.test`,
    redirectUrls: [`https://${env}.beta-board.test/auth/callback`],
    oauthSecrets: { github: { secretRef: `BETA_GITHUB_SECRET_${env.toUpperCase()}` } },
  });
  return {
    apiVersion: 'shipyard.dev/v1',
    kind: 'Venture',
    metadata: { name: 'beta-board', description: 'Kanban boards.', owners: ['team-beta'] },
    spec: {
      environments: ['development', 'staging', 'production'],
      supabase: {
        organization: OTHER_ORG,
        region: 'us-east-1',
        projects: { development: project('development'), staging: project('staging'), production: project('production') },
        auth: { github: { clientId: 'Iv1.beta0board' } },
        database: {
          tables: [
            {
              name: 'boards',
              policies: [
                { name: 'owner-all', command: 'all', roles: ['authenticated'], using: 'owner_id = (select auth.uid())', withCheck: 'owner_id = (select auth.uid())' },
                { name: 'no-archived-updates', command: 'update', roles: ['authenticated'], permissive: false, using: 'not archived' },
              ],
            },
            {
              name: 'cards',
              policies: [
                { name: 'board-owner-read', command: 'select', roles: ['authenticated'], using: `${ownBoard} or author_id = (select auth.uid())` },
                { name: 'author-insert', command: 'insert', roles: ['authenticated'], withCheck: `author_id = (select auth.uid()) and ${ownBoard}` },
                { name: 'author-delete', command: 'delete', roles: ['authenticated'], using: 'author_id = (select auth.uid())' },
              ],
            },
          ],
          rlsTests: [
            { role: 'anon', can: 'select', table: 'boards', rows: 0 },
            { role: 'authenticated', as: USER_A, can: 'select', table: 'boards', rows: 2 },
            { role: 'authenticated', as: USER_A, can: 'update', table: 'boards', values: { title: 'renamed' }, rows: 1 },
            { role: 'authenticated', as: USER_B, can: 'update', table: 'boards', values: { owner_id: USER_A }, allowed: false },
            { role: 'authenticated', as: USER_B, can: 'select', table: 'public.cards', rows: 1 },
            { role: 'authenticated', as: USER_B, can: 'insert', table: 'cards', values: { board_id: 1, author_id: USER_B, body: 'sneaky' }, allowed: false },
            { role: 'authenticated', as: USER_A, can: 'insert', table: 'cards', values: { board_id: 1, author_id: USER_A, body: 'mine' } },
            { role: 'authenticated', as: USER_A, can: 'delete', table: 'cards', rows: 1 },
          ],
        },
      },
    },
  };
}

/** Rows for the beta tables: A owns an active and an archived board, B one board; a card on each user's board. */
export const BETA_ROWS_SQL = `
insert into public.boards (owner_id, title, archived) values ('${USER_A}', 'a-active', false), ('${USER_A}', 'a-archived', true), ('${USER_B}', 'b-board', false);
insert into public.cards (board_id, author_id, body) values (1, '${USER_A}', 'a-card'), (3, '${USER_B}', 'b-card');
`;

/** Rows for acme-notes: A has two notes, B one; both have a profile. */
export const ACME_ROWS_SQL = `
insert into public.notes (owner_id, body) values ('${USER_A}', 'a1'), ('${USER_A}', 'a2'), ('${USER_B}', 'b1');
insert into public.profiles (id, display_name) values ('${USER_A}', 'A'), ('${USER_B}', 'B');
`;
