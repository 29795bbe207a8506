/**
 * Project environment variables, one resource per variable and target (desired.ts). Listing is
 * one filterProjectEnvs call per project with values decrypted; sensitive values are never
 * readable, so they are reported write-only and the engine compares the fingerprints it keeps.
 */
import { address } from '../../../model/address.ts';
import { ApplyError, KeepExisting, type ApplyOperation, type ApplyResult, type ResourceKind } from '../../../model/provider.ts';
import type { JsonObject, ObservedResource } from '../../../model/resource.ts';
import type { EnvInfo, EnvInput, EnvPatch, EnvTarget } from '../client.ts';
import { envSlotName } from '../desired.ts';
import { parsePreviousComment } from '../env-rotation.ts';
import type { Redeployer } from '../redeploy.ts';
import { secretValue, specOf, stringField, type KindContext } from './context.ts';

type WritableType = EnvInput['type'];

/** One observed resource per target the variable has (a hand-made variable may have several). */
export function observeEnv(project: string, env: EnvInfo): ObservedResource[] {
  const state: JsonObject = { key: env.key, target: env.target, type: env.type, comment: env.comment };
  if (env.gitBranch !== null) state.gitBranch = env.gitBranch;
  if (env.value !== undefined) state.value = env.value;
  const writeOnly = env.value === undefined ? { writeOnly: ['/value'] } : {};
  const slots = env.target.length > 0 ? env.target : env.customEnvironmentIds.map((id) => `custom-${id}`);
  const previous = parsePreviousComment(env.comment);
  const note = previous ? { note: `previous value of ${previous.of}, kept by a rotation until ${previous.until}; \`shipyard secrets rotate\` removes it then` } : {};
  return slots.map((target) => ({ address: address('vercel', project, 'env', envSlotName(target, env.gitBranch), env.key), id: env.id, state, ...writeOnly, ...note }));
}

export function envKind(ctx: KindContext, redeploy: { addresses: ReadonlySet<string>; redeployer: Redeployer }): ResourceKind {
  const { client } = ctx;
  return {
    kind: 'env',
    // Vercel cannot turn a sensitive variable back into a readable one; the plan shows a replacement.
    replaceOn: ['/type'],
    async list(project) {
      const envs = await client.listEnvs(address('vercel', project, 'env'), project);
      return (envs ?? []).flatMap((env) => observeEnv(project, env));
    },
    async apply(operation): Promise<ApplyResult> {
      const at = operation.address;
      const project = operation.scope;
      if (operation.action === 'delete') {
        await client.removeEnv(at, project, idOf(operation));
        return {};
      }
      const spec = specOf(operation);
      const value = secretValue(spec.value);
      const key = stringField(spec, 'key') ?? at.split('/').at(-1)!;
      const common = {
        key,
        type: (stringField(spec, 'type') ?? 'encrypted') as WritableType,
        target: (spec.target as EnvTarget[] | undefined) ?? [],
        ...(stringField(spec, 'comment') !== undefined ? { comment: stringField(spec, 'comment') } : {}),
        ...(stringField(spec, 'gitBranch') !== undefined ? { gitBranch: stringField(spec, 'gitBranch') } : {}),
      };
      let id: string;
      let valueChanged: boolean;
      if (operation.action === 'create') {
        if (!(typeof value === 'string')) {
          throw new ApplyError(at, `the value of ${key} was generated earlier and is not known any more, so it cannot be written again. If a rotation was interrupted, \`shipyard secrets rotate --env <environment> --name ${key}\` finishes it; otherwise forget it with \`shipyard state\` so that a new one is generated`);
        }
        // Upsert: a retry after a lost answer, or a variable a killed run created, is updated in place.
        id = (await client.createEnv(at, project, { ...common, value })).id;
        valueChanged = true;
      } else {
        id = idOf(operation);
        const patch: EnvPatch = { ...common };
        if (typeof value === 'string') patch.value = value;
        await client.editEnv(at, project, id, patch);
        const live = operation.observed?.state.value;
        valueChanged = !(value instanceof KeepExisting) && value !== undefined && (typeof live !== 'string' || live !== value);
      }
      if (valueChanged && redeploy.addresses.has(at)) {
        if (common.target.includes('production')) await redeploy.redeployer.request(project, at);
        else if (operation.action === 'update') ctx.progress(at, `${key} changed for ${common.target.join(', ')}: those deployments pick it up on their next build`);
      }
      return { id };
    },
  };
}

function idOf(operation: ApplyOperation): string {
  const id = operation.observed?.id;
  if (!id) throw new ApplyError(operation.address, `${operation.action} needs the variable's id from the plan's read`);
  return id;
}
