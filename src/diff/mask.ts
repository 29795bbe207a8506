/**
 * Masking for everything a person or a log can see: fingerprints and secret leaves become
 * `[secret]`; a changed secret becomes `[secret] (changed)`.
 */
import { MASK } from '../model/sensitive.ts';
import { SECRET_CHANGED, type FieldChange } from '../model/plan.ts';
import type { JsonValue } from '../model/resource.ts';
import { isFingerprint, isPlainObject } from './declared.ts';

export function maskValue(value: JsonValue | undefined): JsonValue | undefined {
  if (value === undefined) return undefined;
  if (isFingerprint(value)) return MASK;
  if (Array.isArray(value)) return value.map((v) => maskValue(v)!);
  if (isPlainObject(value)) {
    const out: Record<string, JsonValue> = {};
    for (const [key, child] of Object.entries(value)) out[key] = maskValue(child)!;
    return out;
  }
  return value;
}

export function maskFieldChange(change: FieldChange): FieldChange {
  const secret = change.sensitive || isFingerprint(change.before) || isFingerprint(change.after);
  if (!secret) return change;
  return {
    ...change,
    sensitive: true,
    before: change.before === undefined || change.before === null ? change.before : MASK,
    after: typeof change.after === 'string' && change.after.startsWith('(') ? change.after : SECRET_CHANGED,
  };
}

/** The state with every value under the given pointers replaced by `[secret]` (a kind's secret fields). */
export function maskPaths(state: JsonValue, pointers: string[]): JsonValue {
  if (pointers.length === 0) return state;
  const visit = (value: JsonValue, path: string): JsonValue => {
    if (pointers.some((p) => path === p || path.startsWith(`${p}/`))) return maskLeaves(value);
    if (Array.isArray(value)) return value.map((v, i) => visit(v, `${path}/${i}`));
    if (isPlainObject(value)) {
      const out: Record<string, JsonValue> = {};
      for (const [key, child] of Object.entries(value)) out[key] = visit(child, `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`);
      return out;
    }
    return value;
  };
  return visit(state, '');
}

function maskLeaves(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(maskLeaves);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskLeaves(v)]));
  return value === null ? null : MASK;
}
