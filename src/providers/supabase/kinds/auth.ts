/**
 * A project's auth settings (GET/PATCH config/auth). Only the fields the config declares are
 * ever sent: a PATCH of a stale full config once lowered password length and turned MFA off
 * (supabase/cli#6657), so nothing else is pushed, defaults included.
 *
 * Secrets (OAuth client secrets, SMTP password, hook secrets) come back as digests. A set
 * secret is reported write-only, and the engine compares the fingerprint it kept when it wrote
 * it ("unverifiable" in the plan); an unset one reads as "" so a secret cleared behind
 * Shipyard's back shows as a change.
 */
import { address } from '../../../model/address.ts';
import { KeepExisting, type ApplyResult, type ResourceKind } from '../../../model/provider.ts';
import type { JsonObject, JsonValue } from '../../../model/resource.ts';
import { isSensitive } from '../../../model/sensitive.ts';
import { specOf, type KindContext } from './context.ts';

/** The fields the API answers with a digest (the rule supabase/cli uses for its config diff). */
const SECRET_FIELD = /(_secret|_secrets|_password|_auth_token|_access_key)$|^smtp_pass$|^sms_textlocal_api_key$/;

export function isAuthSecret(field: string): boolean {
  return SECRET_FIELD.test(field);
}

function authState(config: Record<string, unknown>): { state: JsonObject; writeOnly: string[] } {
  const state: JsonObject = {};
  const writeOnly: string[] = [];
  for (const [key, value] of Object.entries(config).sort(([a], [b]) => a.localeCompare(b))) {
    if (isAuthSecret(key)) {
      if (typeof value === 'string' && value !== '') writeOnly.push(`/${key}`);
      state[key] = typeof value === 'string' && value !== '' ? '[digest]' : '';
      continue;
    }
    state[key] = (value ?? null) as JsonValue;
  }
  return { state, writeOnly };
}

export function authKind(ctx: KindContext): ResourceKind {
  return {
    kind: 'auth',
    async list(scope) {
      const project = await ctx.projectForList('auth', scope);
      if (!project) return [];
      const at = address('supabase', scope, 'auth', 'config');
      const { state, writeOnly } = authState(await ctx.client.getAuthConfig(at, project.ref));
      return [{ address: at, id: project.ref, state, ...(writeOnly.length > 0 ? { writeOnly } : {}) }];
    },
    async apply(operation): Promise<ApplyResult> {
      const at = operation.address;
      if (operation.action === 'delete') {
        ctx.progress(at, 'auth settings stay as they are; Shipyard no longer manages them');
        return {};
      }
      const ref = await ctx.refForApply(operation);
      const fields: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(specOf(operation))) {
        if (value instanceof KeepExisting) continue; // generated earlier: what the project holds is what we want
        fields[key] = isSensitive(value) ? value.reveal() : value;
      }
      if (Object.keys(fields).length === 0) return { id: ref };
      const config = await ctx.client.patchAuthConfig(at, ref, fields);
      return { id: ref, state: authState(config).state };
    },
  };
}
