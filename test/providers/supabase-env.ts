/**
 * What the Supabase provider tests share, including the child process of the SIGKILL test (so
 * nothing here may need vitest): the token, the organizations, the apps' tables that every
 * emulated project gets as soon as its database exists (standing in for the apps' migrations,
 * since Shipyard never creates tables), and the provider as the tests configure it.
 */
import { createSupabaseProvider, type SupabaseProviderOptions } from '../../src/providers/supabase/provider.ts';

export const TOKEN = 'sbp_shipyardtest0123456789abcdef0123456789ab';
export const ORG = 'acme';
export const OTHER_ORG = 'beta-labs';

export const APP_TABLES_SQL = `
create table public.notes (id bigserial primary key, owner_id uuid not null, body text not null default '', is_public boolean not null default false);
create table public.profiles (id uuid primary key, display_name text not null default '');
create table public.boards (id bigserial primary key, owner_id uuid not null, title text not null default '', archived boolean not null default false);
create table public.cards (id bigserial primary key, board_id bigint not null references public.boards (id) on delete cascade, author_id uuid not null, body text not null default '');
create table public.items (id bigserial primary key, owner_id uuid, title text not null default '');
`;

export function providerFor(apiUrl: string, options: Partial<SupabaseProviderOptions> = {}) {
  return createSupabaseProvider({
    token: TOKEN,
    apiUrl,
    projectUrl: (ref) => `${apiUrl}/project/${ref}`,
    pollIntervalMs: 100,
    ...options,
    client: { baseDelayMs: 20, ...(options.client ?? {}) },
  });
}
