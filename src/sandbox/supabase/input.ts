import { badRequest } from './errors.ts';

// Request checks worded like the Management API's validation ("name must be a string",
// "property x should not exist"): 400 with {message}.

export type Obj = Record<string, unknown>;

export function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function requireObject(v: unknown): Obj {
  if (!isObject(v)) badRequest('Request body must be a JSON object');
  return v;
}

export function rejectUnknown(o: Obj, allowed: ReadonlySet<string>): void {
  for (const k of Object.keys(o)) {
    if (!allowed.has(k)) badRequest(`property ${k} should not exist`);
  }
}

export function reqString(o: Obj, key: string, limits: { minLength?: number; maxLength?: number } = {}): string {
  const v = o[key];
  if (v === undefined || v === null) badRequest(`${key} should not be empty`);
  if (typeof v !== 'string') badRequest(`${key} must be a string`);
  if (limits.minLength !== undefined && v.length < limits.minLength) badRequest(`${key} must be longer than or equal to ${limits.minLength} characters`);
  if (limits.maxLength !== undefined && v.length > limits.maxLength) badRequest(`${key} must be shorter than or equal to ${limits.maxLength} characters`);
  return v;
}

export function optString(o: Obj, key: string, limits: { minLength?: number; maxLength?: number } = {}): string | undefined {
  return o[key] === undefined ? undefined : reqString(o, key, limits);
}

export function optEnum<T extends string>(o: Obj, key: string, allowed: readonly T[]): T | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !allowed.includes(v as T)) badRequest(`${key} must be one of the following values: ${allowed.join(', ')}`);
  return v as T;
}

export function optStringArray(o: Obj, key: string): string[] | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) badRequest(`${key} must be an array of strings`);
  return v as string[];
}

/** `?reveal=true`: query booleans arrive as strings. */
export function queryBoolean(q: URLSearchParams, key: string): boolean | undefined {
  const raw = q.get(key);
  if (raw === null) return undefined;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  return badRequest(`${key} must be a boolean value`);
}

export function queryInteger(q: URLSearchParams, key: string, min: number, max: number): number | undefined {
  const raw = q.get(key);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) badRequest(`${key} must be an integer between ${min} and ${max}`);
  return n;
}
