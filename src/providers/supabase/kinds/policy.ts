/**
 * RLS policies, one resource per policy, all of a project read by its one database snapshot.
 * Writes are idempotent SQL (rls-sql.ts): drop + create + comment in one transaction, so a
 * changed command or a switch to restrictive is the same statement as a changed expression.
 * A policy removed from the config is dropped; a renamed one is a drop and a create.
 *
 * Expressions are compared as PostgreSQL prints them back: through Shipyard's comment while the
 * policy is as Shipyard wrote it, else through `preview` (rls-sql.ts explains both).
 */
import { randomBytes } from 'node:crypto';
import { address, parseAddress, type Address } from '../../../model/address.ts';
import { ApplyError, TransientError, type ApplyResult, type ResolvedSpec, type ResourceKind } from '../../../model/provider.ts';
import type { JsonObject, JsonValue, ObservedResource } from '../../../model/resource.ts';
import { SupabaseApiError } from '../client.ts';
import type { PolicySnapshot } from '../database-snapshot.ts';
import { dropPolicySql, parsePolicyComment, parseTable, previewPolicySql, upsertPolicySql, type PolicyDefinition } from '../rls-sql.ts';
import { specOf, type KindContext } from './context.ts';
import { missingTableMessage } from './rls.ts';

interface Deparsed {
  using: string | null;
  withCheck: string | null;
}

/** The policy in the shape of the desired spec, expressions as the config wrote them while that is provably what is live. */
function policyState(p: PolicySnapshot): JsonObject {
  const comment = parsePolicyComment(p.comment);
  const asWritten = comment !== undefined && comment.deparsed === p.deparsedHash;
  return {
    command: p.command,
    roles: p.roles,
    permissive: p.permissive,
    using: asWritten ? comment.using : p.using,
    withCheck: asWritten ? comment.withCheck : p.withCheck,
  };
}

function definition(name: string, spec: ResolvedSpec | JsonObject): PolicyDefinition {
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    name,
    command: (text(spec.command) ?? 'all') as PolicyDefinition['command'],
    roles: Array.isArray(spec.roles) ? spec.roles.map(String).sort() : [],
    permissive: spec.permissive !== false,
    using: text(spec.using),
    withCheck: text(spec.withCheck),
  };
}

function target(at: Address): { scope: string; table: string; name: string } {
  const { scope, name } = parseAddress(at);
  const [table = '', ...rest] = name;
  return { scope, table, name: rest.join('/') };
}

export function policyKind(ctx: KindContext): ResourceKind {
  // What PostgreSQL printed for each live policy, for previews of the same plan.
  const deparsed = new WeakMap<ObservedResource, Deparsed>();

  return {
    kind: 'policy',
    async list(scope) {
      const project = await ctx.projectForList('policy', scope);
      if (!project) return [];
      const snapshot = await ctx.snapshotForList('policy', project.ref, address('supabase', scope, 'policy'));
      const out: ObservedResource[] = [];
      for (const p of snapshot.policies) {
        if (`${p.schema}.${p.table}/${p.name}`.split('/').length !== 2) continue; // a "/" in a name cannot be addressed
        const observed: ObservedResource = { address: address('supabase', scope, 'policy', `${p.schema}.${p.table}`, p.name), id: project.ref, state: policyState(p) };
        deparsed.set(observed, { using: p.using, withCheck: p.withCheck });
        out.push(observed);
      }
      return out;
    },
    async preview(at, declared, observed) {
      const { scope, table } = target(at);
      const project = await ctx.projectForPreview(scope);
      if (!project) return declared; // created in this run: nothing to ask yet
      const scratch = `shipyard_preview_${randomBytes(6).toString('hex')}`;
      let rows;
      try {
        const sql = previewPolicySql(parseTable(table), definition(scratch, declared), scratch);
        rows = await ctx.exclusive(project.ref, () => ctx.client.query(at, project.ref, sql, { mutates: false }));
      } catch (error) {
        if (error instanceof SupabaseApiError) throw new Error(error.sqlState === '42P01' ? missingTableMessage(table, scope) : error.detail);
        throw error;
      }
      const raw = rows[0]?.['preview'];
      const previewed = (typeof raw === 'string' ? JSON.parse(raw) : raw ?? {}) as Deparsed;
      const live = observed ? deparsed.get(observed) : undefined;
      // Equal as PostgreSQL prints them: report the live representation, so no change remains.
      const settle = (key: keyof Deparsed): JsonValue => (live && observed && live[key] === (previewed[key] ?? null) ? (observed.state[key] ?? null) : (previewed[key] ?? null));
      return { ...declared, using: settle('using'), withCheck: settle('withCheck') };
    },
    async apply(operation): Promise<ApplyResult> {
      const at = operation.address;
      const { table, name } = target(at);
      const ref = await ctx.refForApply(operation);
      try {
        if (operation.action === 'delete') {
          await ctx.exclusive(ref, () => ctx.client.query(at, ref, dropPolicySql(parseTable(table), name)));
          return {};
        }
        const policy = definition(name, specOf(operation));
        const sql = upsertPolicySql(parseTable(table), policy);
        await ctx.exclusive(ref, () => ctx.client.query(at, ref, sql));
        const { name: _name, ...state } = policy;
        return { id: ref, state };
      } catch (error) {
        if (error instanceof SupabaseApiError && error.sqlState === '42P01') throw new ApplyError(at, missingTableMessage(table, operation.scope));
        // An expression refused before sending (rls-sql.ts checkExpression) still names the address.
        if (error instanceof Error && !(error instanceof ApplyError) && !(error instanceof TransientError)) throw new ApplyError(at, error.message);
        throw error;
      } finally {
        ctx.databaseChanged(ref);
      }
    },
  };
}
