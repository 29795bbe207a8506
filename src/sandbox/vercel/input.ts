import { badRequest } from './errors.ts';

// Request-body checks with Vercel's wording ("Invalid request: `name` should be string.").

export type Obj = Record<string, unknown>;

export function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function requireObject(v: unknown, where = 'body'): Obj {
  if (!isObject(v)) badRequest(`Invalid request: ${where} should be object.`);
  return v;
}

export function rejectUnknown(o: Obj, allowed: ReadonlySet<string>): void {
  for (const k of Object.keys(o)) {
    if (!allowed.has(k)) badRequest(`Invalid request: should NOT have additional property \`${k}\`.`);
  }
}

export function reqString(o: Obj, key: string, maxLength?: number): string {
  const v = o[key];
  if (v === undefined) badRequest(`Invalid request: missing required property \`${key}\`.`);
  if (typeof v !== 'string') badRequest(`Invalid request: \`${key}\` should be string.`);
  if (maxLength !== undefined && v.length > maxLength) {
    badRequest(`Invalid request: \`${key}\` should NOT be longer than ${maxLength} characters.`);
  }
  return v;
}

export function optString(o: Obj, key: string, maxLength?: number): string | undefined {
  return o[key] === undefined ? undefined : reqString(o, key, maxLength);
}

/** undefined = not sent (keep), null = sent as null (clear). */
export function optNullableString(o: Obj, key: string, maxLength?: number): string | null | undefined {
  return o[key] === null ? null : optString(o, key, maxLength);
}

export function optBoolean(o: Obj, key: string): boolean | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') badRequest(`Invalid request: \`${key}\` should be boolean.`);
  return v;
}

export function optNullableBoolean(o: Obj, key: string): boolean | null | undefined {
  return o[key] === null ? null : optBoolean(o, key);
}

export function optEnum<T extends string | number>(o: Obj, key: string, allowed: readonly T[]): T | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) {
    badRequest(`Invalid request: \`${key}\` should be equal to one of the allowed values "${allowed.join(', ')}".`);
  }
  return v as T;
}

export function optNullableEnum<T extends string | number>(o: Obj, key: string, allowed: readonly T[]): T | null | undefined {
  return o[key] === null ? null : optEnum(o, key, allowed);
}

export function optNumber(o: Obj, key: string): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) badRequest(`Invalid request: \`${key}\` should be number.`);
  return v;
}

export function optStringArray(o: Obj, key: string): string[] | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) badRequest(`Invalid request: \`${key}\` should be array of strings.`);
  return v as string[];
}

/** Query numbers arrive as strings; garbage is a 400 like the real API's validation. */
export function queryNumber(q: URLSearchParams, key: string): number | undefined {
  const raw = q.get(key);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) badRequest(`Invalid request: query parameter \`${key}\` should be number.`);
  return n;
}

export function queryLimit(q: URLSearchParams, fallback: number, max: number): number {
  const n = queryNumber(q, 'limit');
  if (n === undefined) return fallback;
  if (!Number.isInteger(n) || n < 1 || n > max) badRequest(`Invalid request: query parameter \`limit\` should be between 1 and ${max}.`);
  return n;
}
