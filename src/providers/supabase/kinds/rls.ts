/**
 * The RLS switch of a table (`alter table … enable row level security`). Tables are the apps'
 * (their migrations create them), so an existing table is adopted as it is, and a table that
 * does not exist is a plan error when the project exists (preview), or a failed step when the
 * project is being created in the same run: Shipyard never creates tables.
 *
 * Removing a table from the config does not switch RLS off: that would open the table to the
 * API roles. Shipyard stops managing it and says so.
 */
import { address, parseAddress } from '../../../model/address.ts';
import { ApplyError, type ApplyResult, type ResourceKind } from '../../../model/provider.ts';
import { SupabaseApiError } from '../client.ts';
import { parseTable, setRowLevelSecuritySql } from '../rls-sql.ts';
import { specOf, type KindContext } from './context.ts';

export function missingTableMessage(table: string, project: string): string {
  return `table ${table} does not exist in project ${project}: Shipyard manages its row-level security but never creates tables; run the app's migrations that create it first, or remove it from the config`;
}

export function rlsKind(ctx: KindContext): ResourceKind {
  return {
    kind: 'rls',
    async list(scope) {
      const project = await ctx.projectForList('rls', scope);
      if (!project) return [];
      const snapshot = await ctx.snapshotForList('rls', project.ref, address('supabase', scope, 'rls'));
      return snapshot.tables
        .filter((t) => !`${t.schema}.${t.name}`.includes('/'))
        .map((t) => ({ address: address('supabase', scope, 'rls', `${t.schema}.${t.name}`), id: project.ref, state: { enabled: t.rowLevelSecurity } }));
    },
    async preview(at, declared, observed) {
      if (observed) return declared;
      // Not listed: either the project is not there yet (nothing to check) or the table is missing.
      const { scope, name } = parseAddress(at);
      const project = await ctx.projectForPreview(scope);
      if (project) throw new Error(missingTableMessage(name.join('/'), scope));
      return declared;
    },
    async apply(operation): Promise<ApplyResult> {
      const at = operation.address;
      const table = parseAddress(at).name.join('/');
      if (operation.action === 'delete') {
        ctx.progress(at, `row-level security of ${table} stays as it is (switching it off would open the table); Shipyard no longer manages it`);
        return {};
      }
      const ref = await ctx.refForApply(operation);
      const enabled = specOf(operation).enabled !== false;
      try {
        await ctx.exclusive(ref, () => ctx.client.query(at, ref, setRowLevelSecuritySql(parseTable(table), enabled)));
      } catch (error) {
        if (error instanceof SupabaseApiError && error.sqlState === '42P01') throw new ApplyError(at, missingTableMessage(table, operation.scope));
        throw error;
      } finally {
        ctx.databaseChanged(ref);
      }
      return { id: ref, state: { enabled } };
    },
  };
}
