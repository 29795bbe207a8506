/**
 * The env-var manager's table: per venture, every variable with its description, where its value
 * comes from, and per target whether Shipyard wrote it and the short fingerprint of what it wrote.
 * Built from the venture file and the inventory only: no provider is asked for a value, so no
 * value can come back (a literal is shown because it is in git anyway; never for a sensitive one).
 */
import type { Loaded } from '../config/load.ts';
import { locate } from '../config/source.ts';
import type { EnvValue, VentureDoc } from '../model/config.ts';
import type { InventoryEntry } from '../model/state.ts';
import { envSlots, ventureTargets } from '../providers/vercel/desired.ts';
import type { VercelTarget } from '../model/config.ts';
import { generateRule } from '../secrets/fingerprint.ts';
import type { EnvSource, EnvVarView, VentureEnvResponse } from './api-types.ts';

export function ventureEnv(venture: Loaded<VentureDoc>, byTarget: Map<VercelTarget, string>, inventory: InventoryEntry[]): VentureEnvResponse {
  const { doc, source } = venture;
  const owned = new Map(inventory.map((e) => [e.address, e]));
  const slots = envSlots(doc, byTarget);
  const variables: EnvVarView[] = (doc.spec?.vercel?.env ?? []).map((variable, index) => ({
    key: variable.key,
    description: variable.description,
    sensitive: variable.sensitive === true,
    ...(variable.redeploy !== undefined ? { redeploy: variable.redeploy } : {}),
    ...(variable.gitBranch ? { gitBranch: variable.gitBranch } : {}),
    ...(variable.targets ? { declaredTargets: [...variable.targets] } : {}),
    source: envSource(variable.value, variable.sensitive === true),
    targets: slots.filter((s) => s.index === index).map((slot) => {
      const entry = owned.get(slot.address);
      const fingerprint = entry ? shortFingerprint(entry.fingerprints['/value']) : undefined;
      return {
        target: slot.target,
        environment: slot.environment,
        address: slot.address,
        status: entry ? entry.status : 'not-applied',
        ...(fingerprint ? { fingerprint } : {}),
        ...(entry ? { updatedAt: entry.updatedAt } : {}),
      };
    }),
    line: locate(source, ['spec', 'vercel', 'env', index]).line,
  }));
  return { venture: doc.metadata.name, file: source.file, targets: ventureTargets(doc, byTarget).map(([t]) => t), variables };
}

function envSource(value: EnvValue, sensitive: boolean): EnvSource {
  if ('secretRef' in value) return { kind: 'secretRef', name: value.secretRef };
  if ('generate' in value) return { kind: 'generated', ...generateRule(value) };
  if ('output' in value) return { kind: 'output', output: value.output };
  // The schema refuses a sensitive literal; should one slip through, it is still not shown.
  return { kind: 'literal', literal: sensitive ? '[secret]' : value.literal };
}

/** `hmac-sha256:AbCdEfGh…` → `AbCdEfGh`: enough to tell two values apart, nothing more. */
export function shortFingerprint(fingerprint: string | undefined): string | undefined {
  if (!fingerprint) return undefined;
  return fingerprint.replace(/^hmac-sha256:/, '').slice(0, 10);
}
