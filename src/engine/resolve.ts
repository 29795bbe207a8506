/**
 * Resolving the markers in a desired spec. For a plan, into comparable JSON: secrets become
 * `{ $fp }` fingerprints, values not known yet become `(known after apply)`. For apply, into
 * the values providers write: Sensitive secrets, generated on first write.
 */
import { escapePointer } from '../diff/declared.ts';
import type { Address } from '../model/address.ts';
import { KNOWN_AFTER_APPLY } from '../model/plan.ts';
import { KeepExisting, type ResolvedSpec, type ResolvedValue } from '../model/provider.ts';
import type { GenerateRule, JsonValue, OutputRef, SecretRefValue, Spec, SpecValue } from '../model/resource.ts';
import { isSensitive, Sensitive } from '../model/sensitive.ts';
import { generateSecret, type Fingerprinter } from '../secrets/fingerprint.ts';
import { processRedactor } from '../secrets/redact.ts';

export interface SecretSource {
  /** The runner's secret of that name, or undefined when it is not set. */
  lookup(name: string): Sensitive<string> | undefined;
}

export type OutputLookup = (address: Address, name: string) => string | Sensitive<string> | undefined;

export interface PlanResolution {
  comparable: JsonValue;
  /** Pointers of secret leaves (for masking and fingerprints). */
  sensitive: string[];
  /** Pointers whose value is known only after apply. */
  unknown: string[];
  missingSecrets: string[];
  /** Fingerprints of the desired secrets under the previous fingerprint key, by pointer (only while rekeying). */
  previous: Record<string, string>;
}

export function isOutputRef(value: unknown): value is OutputRef {
  return typeof value === 'object' && value !== null && '$output' in value;
}
export function isGenerateRule(value: unknown): value is GenerateRule {
  return typeof value === 'object' && value !== null && '$generate' in value;
}
export function isSecretRef(value: unknown): value is SecretRefValue {
  return typeof value === 'object' && value !== null && '$secretRef' in value;
}

export function resolveForPlan(
  spec: Spec,
  context: { secrets: SecretSource; fingerprints: Fingerprinter; outputs: OutputLookup; stored: Record<string, string> },
): PlanResolution {
  const result: PlanResolution = { comparable: null, sensitive: [], unknown: [], missingSecrets: [], previous: {} };
  const fingerprint = (value: string | Sensitive<string>, path: string): JsonValue => {
    const previous = context.fingerprints.previousOf(value);
    if (previous) result.previous[path] = previous;
    return { $fp: context.fingerprints.of(value) };
  };
  const visit = (value: SpecValue, path: string): JsonValue => {
    if (isSensitive(value)) {
      result.sensitive.push(path);
      return fingerprint(value, path);
    }
    if (isSecretRef(value)) {
      result.sensitive.push(path);
      const secret = context.secrets.lookup(value.$secretRef);
      if (!secret) {
        result.missingSecrets.push(value.$secretRef);
        return KNOWN_AFTER_APPLY;
      }
      return fingerprint(secret, path);
    }
    if (isGenerateRule(value)) {
      result.sensitive.push(path);
      // Generated once: the value that was written is the value we want, whatever it is.
      const stored = context.stored[path];
      if (stored) return { $fp: stored };
      result.unknown.push(path);
      return KNOWN_AFTER_APPLY;
    }
    if (isOutputRef(value)) {
      const output = context.outputs(value.$output.address, value.$output.name);
      if (value.$output.sensitive) result.sensitive.push(path);
      if (output === undefined) {
        result.unknown.push(path);
        return KNOWN_AFTER_APPLY;
      }
      return value.$output.sensitive || isSensitive(output) ? fingerprint(output, path) : output;
    }
    if (Array.isArray(value)) return value.map((item, i) => visit(item, `${path}/${i}`));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, JsonValue> = {};
      for (const [key, child] of Object.entries(value)) out[key] = visit(child, `${path}/${escapePointer(key)}`);
      return out;
    }
    return value;
  };
  result.comparable = visit(spec, '');
  return result;
}

export interface ApplyResolution {
  spec: ResolvedSpec;
  /** Fingerprints of the secrets this write sends, by pointer, for the inventory. */
  fingerprints: Record<string, string>;
}

export function resolveForApply(
  spec: Spec,
  context: { secrets: SecretSource; fingerprints: Fingerprinter; outputs: OutputLookup; stored: Record<string, string>; address: Address },
): ApplyResolution {
  const fingerprints: Record<string, string> = {};
  const secret = (value: Sensitive<string>, path: string): Sensitive<string> => {
    processRedactor.add(value.reveal());
    fingerprints[path] = context.fingerprints.of(value);
    return value;
  };
  const visit = (value: SpecValue, path: string): ResolvedValue => {
    if (isSensitive(value)) return secret(value, path);
    if (isSecretRef(value)) {
      const found = context.secrets.lookup(value.$secretRef);
      if (!found) throw new Error(`${context.address}: the runner secret ${value.$secretRef} is not set; add it to the workflow's secrets (or the sandbox's)`);
      return secret(found, path);
    }
    if (isGenerateRule(value)) {
      const stored = context.stored[path];
      if (stored) {
        fingerprints[path] = stored;
        return new KeepExisting();
      }
      return secret(generateSecret(value.$generate), path);
    }
    if (isOutputRef(value)) {
      const output = context.outputs(value.$output.address, value.$output.name);
      if (output === undefined) throw new Error(`${context.address}: output ${value.$output.name} of ${value.$output.address} is not available; apply ${value.$output.address} first`);
      return value.$output.sensitive || isSensitive(output) ? secret(isSensitive(output) ? output : new Sensitive(output), path) : output;
    }
    if (Array.isArray(value)) return value.map((item, i) => visit(item, `${path}/${i}`));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, ResolvedValue> = {};
      for (const [key, child] of Object.entries(value)) out[key] = visit(child, `${path}/${escapePointer(key)}`);
      return out;
    }
    return value;
  };
  return { spec: visit(spec, '') as ResolvedSpec, fingerprints };
}
