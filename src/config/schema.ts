/**
 * JSON Schema validation with ajv (2020-12, strict, formats), compiled once per process.
 * ajv errors are turned into diagnostics that point at the YAML node and say what to do.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import commonSchema from '../../schemas/common.schema.json' with { type: 'json' };
import environmentSchema from '../../schemas/environment.schema.json' with { type: 'json' };
import ventureSchema from '../../schemas/venture.schema.json' with { type: 'json' };
import type { Diagnostic } from '../model/diagnostic.ts';
import { locate, type JsonPath, type SourceFile } from './source.ts';

export type DocumentKind = 'Environment' | 'Venture';

const schemaFiles: Record<DocumentKind, string> = {
  Environment: 'schemas/environment.schema.json',
  Venture: 'schemas/venture.schema.json',
};

// ajv-formats is CommonJS; under Node's ESM interop its default export is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => void;

let instance: Ajv2020 | undefined;
let compiled: Record<DocumentKind, ValidateFunction> | undefined;

function ajv(): Ajv2020 {
  if (!instance) {
    instance = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true, strictTypes: false, strictRequired: false, verbose: true });
    addFormats(instance);
    instance.addSchema(commonSchema);
  }
  return instance;
}

function validators(): Record<DocumentKind, ValidateFunction> {
  compiled ??= { Environment: ajv().compile(environmentSchema), Venture: ajv().compile(ventureSchema) };
  return compiled;
}

/** All schemas, for tooling (docs, tests). */
export const schemas = { common: commonSchema, environment: environmentSchema, venture: ventureSchema };

export function validateAgainstSchema(kind: DocumentKind, data: unknown, source: SourceFile): Diagnostic[] {
  const validate = validators()[kind];
  if (validate(data)) return [];
  return explainErrors(validate.errors ?? [], data, source, schemaFiles[kind]);
}

/**
 * ajv reports every failing branch of a `oneOf`; a person wants the one that matters.
 * Pick the branch whose required key is present in the data and explain only its errors,
 * or else say what the choices are.
 */
function explainErrors(errors: ErrorObject[], data: unknown, source: SourceFile, schemaFile: string, prefix: JsonPath = []): Diagnostic[] {
  // `if` and `propertyNames` only wrap the error that says what is wrong; keep that one.
  const suppressed = new Set<ErrorObject>(errors.filter((e) => e.keyword === 'if' || e.keyword === 'propertyNames'));
  const out: Diagnostic[] = [];
  const oneOfs = errors.filter((e) => e.keyword === 'oneOf' && e.instancePath !== '');
  for (const error of oneOfs) {
    if (suppressed.has(error)) continue;
    // Every error at or below a oneOf node comes from its branches (our schemas put nothing beside a oneOf).
    for (const e of errors) if (e !== error && (e.instancePath === error.instancePath || e.instancePath.startsWith(`${error.instancePath}/`))) suppressed.add(e);
    suppressed.add(error);
    const path = [...prefix, ...pathOf(error.instancePath)];
    const value = valueAt(data, pathOf(error.instancePath));
    const branches = (error.schema as Branch[]) ?? [];
    const present = branches.filter((branch) => requiredKeys(branch).some((key) => isObject(value) && key in value));
    const choices = branches.flatMap(requiredKeys).map((key) => `\`${key}\``);
    if (present.length === 1) {
      const branchErrors = validateBranch(present[0]!, value);
      out.push(...explainErrors(branchErrors, value, source, schemaFile, path));
    } else if (present.length > 1) {
      const keys = present.flatMap(requiredKeys).map((key) => `\`${key}\``);
      out.push(diagnostic(source, path, { code: 'schema.one-of', message: `${keys.join(' and ')} are alternatives; give only one`, hint: `Keep one of ${keys.join(', ')}.` }));
    } else if (choices.length > 0) {
      const literalSecret = typeof value === 'string' && choices.includes('`secretRef`');
      out.push(diagnostic(source, path, literalSecret
        ? { code: 'secret.literal', message: 'a secret value is written here as a literal; secrets never live in git', hint: 'Remove the value from git (and rotate it), then write `secretRef: RUNNER_SECRET_NAME` or `generate: {}` instead.' }
        : { code: 'schema.one-of', message: `expected exactly one of ${choices.join(', ')}`, hint: `Write one of ${choices.join(', ')} here (see ${schemaFile}).` }));
    } else {
      suppressed.delete(error);
    }
  }
  out.push(...errors.filter((e) => !suppressed.has(e)).map((e) => explainError(e, data, source, schemaFile, prefix)));
  return dedupe(out);
}

type Branch = { required?: string[]; $ref?: string };
const branchValidators = new Map<string, ValidateFunction>();

function validateBranch(branch: Branch, value: unknown): ErrorObject[] {
  const key = JSON.stringify(branch);
  let validate = branchValidators.get(key);
  if (!validate) {
    // Branch references are written relative to the schemas' base URL (`common.schema.json#/$defs/...`).
    validate = ajv().compile(branch.$ref ? { $ref: new URL(branch.$ref, commonSchema.$id).href } : branch);
    branchValidators.set(key, validate);
  }
  return validate(value) ? [] : (validate.errors ?? []);
}

function explainError(error: ErrorObject, data: unknown, source: SourceFile, schemaFile: string, prefix: JsonPath): Diagnostic {
  const localPath = pathOf(error.instancePath);
  const path = [...prefix, ...localPath];
  // Name list items after their list: "roles", not "0".
  const property = typeof path.at(-1) === 'number' ? path.at(-2) : path.at(-1);
  const described = (error.parentSchema as { description?: string } | undefined)?.description;
  const about = described ? ` ${described}` : '';
  const params = error.params as Record<string, unknown>;
  if (error.propertyName !== undefined) {
    return diagnostic(source, [...path, error.propertyName], {
      code: 'schema.property-name',
      message: `\`${error.propertyName}\` is not an allowed key in \`${String(property)}\``,
      hint: described ? `Expected: ${described}` : `See ${schemaFile}.`,
    }, { key: true });
  }
  const secretRefSchema = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties?.secretRef;
  if (error.keyword === 'type' && secretRefSchema && typeof valueAt(data, localPath) === 'string') {
    return diagnostic(source, path, {
      code: 'secret.literal',
      message: 'a secret value is written here as a literal; secrets never live in git',
      hint: 'Remove the value from git (and rotate it), then write `{ secretRef: RUNNER_SECRET_NAME }` instead.',
    });
  }
  switch (error.keyword) {
    case 'required': {
      const missing = String(params.missingProperty);
      return diagnostic(source, path, {
        code: 'schema.required',
        message: `missing required property \`${missing}\`${path.length ? ` in \`${path.join('.')}\`` : ''}`,
        hint: `Add \`${missing}:\` here (see ${schemaFile}).`,
      }, { key: true });
    }
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      const allowed = Object.keys((error.parentSchema as { properties?: object }).properties ?? {});
      const suggestion = closest(extra, allowed);
      return diagnostic(source, [...path, extra], {
        code: 'schema.unknown-property',
        message: `unknown property \`${extra}\``,
        hint: suggestion
          ? `Did you mean \`${suggestion}\`? Otherwise remove it; allowed here: ${allowed.join(', ')}.`
          : `Remove it; allowed here: ${allowed.join(', ') || 'nothing'}.`,
      }, { key: true });
    }
    case 'enum':
      return diagnostic(source, path, {
        code: 'schema.enum',
        message: `\`${String(valueAt(data, localPath))}\` is not allowed for \`${String(property)}\``,
        hint: `Use one of: ${(params.allowedValues as unknown[]).map((v) => `\`${String(v)}\``).join(', ')}.`,
      });
    case 'const':
      return diagnostic(source, path, {
        code: 'schema.const',
        message: `\`${String(property)}\` must be \`${String(params.allowedValue)}\``,
        hint: `Write \`${String(property)}: ${String(params.allowedValue)}\`.`,
      });
    case 'type':
      return diagnostic(source, path, {
        code: 'schema.type',
        message: `\`${String(property ?? 'document')}\` must be ${article(String(params.type))}, not ${describe(valueAt(data, localPath))}`,
        hint: String(params.type).includes('string') && typeof valueAt(data, localPath) === 'number'
          ? 'Quote the value, e.g. "4".'
          : `Change the value to ${article(String(params.type))}.${about}`,
      });
    case 'pattern':
    case 'format':
    case 'maximum':
    case 'minimum':
    case 'maxLength':
    case 'minLength':
      return diagnostic(source, path, {
        code: `schema.${error.keyword.toLowerCase()}`,
        message: `\`${String(valueAt(data, localPath))}\` is not a valid \`${String(property)}\`${error.keyword === 'pattern' || error.keyword === 'format' ? '' : ` (${error.message})`}`,
        hint: described ? `Expected: ${described}` : `It must match ${String(params.pattern ?? params.format)}.`,
      });
    case 'not':
      if (error.schemaPath.includes('/then/')) {
        return diagnostic(source, path, {
          code: 'secret.literal',
          message: 'a sensitive variable cannot have a literal value; secrets never live in git',
          hint: 'Use `secretRef: RUNNER_SECRET_NAME`, `generate: {}` or an `output:` instead of `literal:`.',
        });
      }
      break;
    case 'uniqueItems': {
      const index = Math.max(Number(params.i), Number(params.j));
      return diagnostic(source, [...path, index], {
        code: 'schema.duplicate-item',
        message: `\`${String(valueAt(data, [...localPath, index]))}\` is listed twice in \`${String(property)}\``,
        hint: 'Remove the second entry.',
      });
    }
    case 'minItems':
    case 'minProperties':
      return diagnostic(source, path, {
        code: `schema.${error.keyword.toLowerCase()}`,
        message: `\`${String(property)}\` needs at least ${String(params.limit)} entr${params.limit === 1 ? 'y' : 'ies'}`,
        hint: `Add entries to \`${String(property)}\`.${about}`,
      });
    case 'oneOf':
      if (path.length > 0) {
        return diagnostic(source, path, {
          code: 'schema.one-of',
          message: `\`${String(valueAt(data, localPath))}\` is not a valid \`${String(property)}\``,
          hint: described ? `Expected: ${described}` : `See ${schemaFile}.`,
        });
      }
      if (path.length === 0) {
        return diagnostic(source, path, {
          code: 'schema.spec-or-tombstone',
          message: 'a document has either `spec` or `tombstone`, not both',
          hint: 'Keep `spec` to manage the resources, or replace it with `tombstone` to delete them.',
        });
      }
      break;
  }
  return diagnostic(source, path, {
    code: `schema.${error.keyword.toLowerCase()}`,
    message: `\`${path.join('.') || 'document'}\` ${error.message ?? 'is invalid'}`,
    hint: described ? `Expected: ${described}` : `See ${schemaFile}.`,
  });
}

function diagnostic(
  source: SourceFile,
  path: JsonPath,
  text: { code: string; message: string; hint: string },
  options: { key?: boolean } = {},
): Diagnostic {
  return { ...locate(source, path, options), severity: 'error', ...text };
}

function pathOf(instancePath: string): (string | number)[] {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function valueAt(data: unknown, path: JsonPath): unknown {
  let value = data;
  for (const segment of path) value = isObject(value) || Array.isArray(value) ? (value as Record<string, unknown>)[segment] : undefined;
  return value;
}

function requiredKeys(branch: Branch): string[] {
  if (branch.required) return branch.required;
  // Branches that are references to secretRef/generate: their name is their required key.
  const name = branch.$ref?.split('/').at(-1);
  return name ? [name] : [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} \`${String(value)}\``;
}

/** The allowed name within edit distance 2, for "did you mean". */
function closest(word: string, candidates: string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(word.toLowerCase(), name.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.line}:${d.column}:${d.code}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
