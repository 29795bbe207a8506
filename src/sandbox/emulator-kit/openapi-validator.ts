import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { compilePathTemplate, matchPathTemplate, type PathParams, type PathTemplate } from './router.ts';

// Contract check for emulators: validates a response body against the schema an OpenAPI 3.0
// document declares for (method, concrete path, status). OpenAPI 3.0 schemas are not JSON
// Schema (nullable, boolean exclusiveMinimum, example, discriminator...), so they are
// converted first; each (operation, status) is compiled on first use and cached.

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

export interface OpenApiDocument {
  readonly openapi?: string;
  readonly paths: Readonly<Record<string, unknown>>;
  readonly components?: { readonly schemas?: Readonly<Record<string, unknown>> } & Readonly<Record<string, unknown>>;
}

export interface OpenApiValidatorOptions {
  /**
   * Generated vendor specs often have oneOf branches that overlap (a full object matches both
   * the "full" and the "reduced" variant), so a strict oneOf rejects real responses.
   * 'anyOf' (default) accepts a body matching at least one branch, as the SDKs' unions do.
   */
  readonly oneOf?: 'anyOf' | 'strict';
  /**
   * Requests the emulator serves on a path the document has under another version, e.g.
   * `{ 'GET /v5/domains/{domain}/records': 'GET /v4/domains/{domain}/records' }`.
   */
  readonly aliases?: Readonly<Record<string, string>>;
  /** Prefix to strip from concrete paths before lookup (a server URL's path part). */
  readonly basePath?: string;
}

export interface OperationRef {
  readonly method: string;
  /** The document's path template that matched (after aliasing). */
  readonly template: string;
  readonly operationId: string | undefined;
  readonly params: PathParams;
  /** Set when the request matched through an alias: the served "METHOD template". */
  readonly aliasOf: string | undefined;
}

export interface ContractViolation {
  /** JSONPath-like location in the body, e.g. `$.projects[0].alias`. */
  readonly path: string;
  readonly keyword: string;
  readonly message: string;
  readonly schemaPath: string;
}

export type ResponseCheck =
  | { readonly kind: 'valid'; readonly operation: OperationRef; readonly documentedStatus: string }
  | { readonly kind: 'invalid'; readonly operation: OperationRef; readonly documentedStatus: string; readonly violations: readonly ContractViolation[] }
  /** The document has no operation for this method and path. */
  | { readonly kind: 'no-operation'; readonly method: string; readonly path: string }
  /** The operation exists but lists neither this status, its NXX range, nor a default. */
  | { readonly kind: 'undocumented-status'; readonly operation: OperationRef; readonly status: number }
  /** The status is documented without a JSON body schema (204, description-only errors). */
  | { readonly kind: 'no-schema'; readonly operation: OperationRef; readonly documentedStatus: string };

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const COMPONENTS_ID = 'urn:openapi:components';
const DROPPED_KEYWORDS = new Set(['nullable', 'example', 'examples', 'xml', 'externalDocs', 'discriminator', 'deprecated', 'readOnly', 'writeOnly']);
const SCHEMA_MAP_KEYWORDS = new Set(['properties', 'patternProperties', 'definitions']);
const SCHEMA_KEYWORDS = new Set(['items', 'additionalProperties', 'not', 'additionalItems', 'contains', 'propertyNames']);
const SCHEMA_LIST_KEYWORDS = new Set(['allOf', 'anyOf', 'oneOf']);

interface PathEntry {
  readonly template: PathTemplate;
  readonly item: JsonObject;
}

export class OpenApiValidator {
  readonly #doc: OpenApiDocument;
  readonly #oneOf: 'anyOf' | 'strict';
  readonly #aliases: Map<string, string>;
  readonly #basePath: string;
  readonly #paths: PathEntry[];
  readonly #served: { method: string; template: PathTemplate; target: string }[];
  readonly #compiled = new Map<string, ValidateFunction>();
  #ajv: Ajv | undefined;

  constructor(doc: OpenApiDocument, options: OpenApiValidatorOptions = {}) {
    this.#doc = doc;
    this.#oneOf = options.oneOf ?? 'anyOf';
    this.#aliases = new Map(Object.entries(options.aliases ?? {}));
    this.#basePath = (options.basePath ?? '').replace(/\/$/, '');
    this.#paths = Object.entries(doc.paths).map(([template, item]) => ({ template: compilePathTemplate(template), item: item as JsonObject }));
    this.#served = [...this.#aliases.entries()].map(([from, to]) => {
      const [method = '', template = ''] = splitOperationKey(from);
      return { method, template: compilePathTemplate(template), target: to };
    });
  }

  findOperation(method: string, concretePath: string): OperationRef | undefined {
    const upper = method.toUpperCase();
    const path = this.#stripBase(concretePath);
    for (const alias of this.#served) {
      if (alias.method !== upper) continue;
      const params = matchPathTemplate(alias.template, path);
      if (!params) continue;
      const [toMethod = '', toTemplate = ''] = splitOperationKey(alias.target);
      const entry = this.#paths.find((p) => p.template.template === toTemplate);
      const op = entry ? asObject(entry.item[toMethod.toLowerCase()]) : undefined;
      if (!op) throw new Error(`alias target not in document: ${alias.target}`);
      return { method: toMethod, template: toTemplate, operationId: stringOr(op['operationId']), params, aliasOf: `${upper} ${alias.template.template}` };
    }
    const lower = upper.toLowerCase();
    let best: { entry: PathEntry; params: PathParams } | undefined;
    for (const entry of this.#paths) {
      if (!asObject(entry.item[lower])) continue;
      const params = matchPathTemplate(entry.template, path);
      if (!params) continue;
      if (!best || entry.template.literalLength > best.entry.template.literalLength) best = { entry, params };
    }
    if (!best) return undefined;
    const op = asObject(best.entry.item[lower])!;
    return { method: upper, template: best.entry.template.template, operationId: stringOr(op['operationId']), params: best.params, aliasOf: undefined };
  }

  /** Every "METHOD template" in the document, for coverage reports. */
  operations(): { method: string; template: string; operationId: string | undefined }[] {
    const out: { method: string; template: string; operationId: string | undefined }[] = [];
    for (const entry of this.#paths) {
      for (const m of HTTP_METHODS) {
        const op = asObject(entry.item[m]);
        if (op) out.push({ method: m.toUpperCase(), template: entry.template.template, operationId: stringOr(op['operationId']) });
      }
    }
    return out;
  }

  validateResponse(method: string, concretePath: string, status: number, body: unknown): ResponseCheck {
    const operation = this.findOperation(method, concretePath);
    if (!operation) return { kind: 'no-operation', method: method.toUpperCase(), path: concretePath };
    const op = this.#operationObject(operation);
    const responses = asObject(op['responses']) ?? {};
    const key = [String(status), `${Math.floor(status / 100)}XX`, 'default'].find((k) => k in responses);
    if (key === undefined) return { kind: 'undocumented-status', operation, status };
    const response = this.#deref(responses[key]);
    const schema = jsonSchemaOf(asObject(response?.['content']));
    if (schema === undefined) return { kind: 'no-schema', operation, documentedStatus: key };
    const validate = this.#compile(`response ${operation.method} ${operation.template} ${key}`, schema);
    return this.#result(validate, body, (violations) =>
      violations.length === 0
        ? { kind: 'valid', operation, documentedStatus: key }
        : { kind: 'invalid', operation, documentedStatus: key, violations },
    );
  }

  /** Checks a request body against the operation's requestBody schema; undefined = nothing to check. */
  validateRequestBody(method: string, concretePath: string, body: unknown): readonly ContractViolation[] | undefined {
    const operation = this.findOperation(method, concretePath);
    if (!operation) return undefined;
    const requestBody = this.#deref(this.#operationObject(operation)['requestBody']);
    const schema = jsonSchemaOf(asObject(requestBody?.['content']));
    if (schema === undefined) return undefined;
    const validate = this.#compile(`request ${operation.method} ${operation.template}`, schema);
    return this.#result(validate, body, (v) => v);
  }

  #result<T>(validate: ValidateFunction, body: unknown, wrap: (violations: ContractViolation[]) => T): T {
    if (body === undefined) {
      return wrap([{ path: '$', keyword: 'body', message: 'a JSON body is documented but none was sent', schemaPath: '#' }]);
    }
    if (validate(body)) return wrap([]);
    return wrap((validate.errors ?? []).map(toViolation));
  }

  #operationObject(operation: OperationRef): JsonObject {
    const entry = this.#paths.find((p) => p.template.template === operation.template);
    return asObject(entry?.item[operation.method.toLowerCase()]) ?? {};
  }

  #stripBase(path: string): string {
    if (this.#basePath && path.startsWith(this.#basePath)) return path.slice(this.#basePath.length) || '/';
    return path;
  }

  #deref(node: unknown): JsonObject | undefined {
    let current = asObject(node);
    for (let hops = 0; current && typeof current['$ref'] === 'string' && hops < 20; hops++) {
      current = asObject(resolvePointer(this.#doc, current['$ref']));
    }
    return current;
  }

  #compile(cacheKey: string, schema: unknown): ValidateFunction {
    const cached = this.#compiled.get(cacheKey);
    if (cached) return cached;
    const ajv = this.#ajvInstance();
    const fn = ajv.compile(this.#convert(schema) as object);
    this.#compiled.set(cacheKey, fn);
    return fn;
  }

  #ajvInstance(): Ajv {
    if (this.#ajv) return this.#ajv;
    // strict: false + no logger: vendor specs carry unknown formats and keywords we must tolerate.
    const ajv = new Ajv({ allErrors: true, strict: false, logger: false, validateFormats: true });
    addFormats.default(ajv);
    for (const [name, type] of [['int32', 'number'], ['int64', 'number'], ['float', 'number'], ['double', 'number']] as const) {
      ajv.addFormat(name, { type, validate: (n: number) => Number.isFinite(n) });
    }
    for (const name of ['byte', 'binary', 'password']) ajv.addFormat(name, { type: 'string', validate: () => true });
    const definitions: Record<string, unknown> = {};
    for (const [name, s] of Object.entries(this.#doc.components?.schemas ?? {})) definitions[name] = this.#convert(s);
    ajv.addSchema({ $id: COMPONENTS_ID, definitions });
    this.#ajv = ajv;
    return ajv;
  }

  #convert(schema: unknown): unknown {
    return convertSchema(schema, this.#oneOf);
  }
}

/** OpenAPI 3.0 Schema Object → JSON Schema draft-07, as Ajv understands it. */
export function convertSchema(node: unknown, oneOf: 'anyOf' | 'strict' = 'anyOf'): unknown {
  if (Array.isArray(node)) return node.map((n) => convertSchema(n, oneOf));
  const s = asObject(node);
  if (!s) return node;
  if (typeof s['$ref'] === 'string') {
    // OpenAPI 3.0 ignores siblings of $ref.
    return { $ref: rewriteRef(s['$ref']) };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k.startsWith('x-') || DROPPED_KEYWORDS.has(k)) continue;
    if (SCHEMA_MAP_KEYWORDS.has(k) && asObject(v)) {
      out[k] = Object.fromEntries(Object.entries(asObject(v)!).map(([name, sub]) => [name, convertSchema(sub, oneOf)]));
    } else if (SCHEMA_KEYWORDS.has(k) && (asObject(v) || Array.isArray(v))) {
      out[k] = convertSchema(v, oneOf);
    } else if (SCHEMA_LIST_KEYWORDS.has(k) && Array.isArray(v)) {
      out[k] = v.map((sub) => convertSchema(sub, oneOf));
    } else if ((k === 'exclusiveMinimum' || k === 'exclusiveMaximum') && typeof v === 'boolean') {
      // 3.0 (draft-4 style) booleans modify minimum/maximum; draft-07 wants the bound itself.
      const bound = k === 'exclusiveMinimum' ? 'minimum' : 'maximum';
      if (v && typeof s[bound] === 'number') out[k] = s[bound];
    } else {
      out[k] = v;
    }
  }
  if (s['exclusiveMinimum'] === true && typeof s['minimum'] === 'number') delete out['minimum'];
  if (s['exclusiveMaximum'] === true && typeof s['maximum'] === 'number') delete out['maximum'];
  // Generated specs carry `anyOf: []` (meaning "unknown") and duplicate enum values, both of
  // which Ajv's meta-schema rejects; neither constrains anything, so drop or dedupe them.
  for (const k of SCHEMA_LIST_KEYWORDS) {
    if (Array.isArray(out[k]) && (out[k] as unknown[]).length === 0) delete out[k];
  }
  if (Array.isArray(out['enum'])) out['enum'] = dedupe(out['enum'] as unknown[]);
  if (oneOf === 'anyOf' && Array.isArray(out['oneOf'])) {
    if (Array.isArray(out['anyOf'])) {
      out['allOf'] = [...((out['allOf'] as unknown[] | undefined) ?? []), { anyOf: out['oneOf'] }];
    } else {
      out['anyOf'] = out['oneOf'];
    }
    delete out['oneOf'];
  }
  if (s['nullable'] === true) {
    if (typeof out['type'] === 'string') {
      out['type'] = [out['type'], 'null'];
      if (Array.isArray(out['enum']) && !out['enum'].includes(null)) out['enum'] = [...out['enum'], null];
    } else if (out['type'] === undefined) {
      return { anyOf: [out, { type: 'null' }] };
    }
  }
  return out;
}

function dedupe(values: unknown[]): unknown[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const key = JSON.stringify(v);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function rewriteRef(ref: string): string {
  const prefix = '#/components/schemas/';
  if (ref.startsWith(prefix)) return `${COMPONENTS_ID}#/definitions/${ref.slice(prefix.length)}`;
  throw new Error(`unsupported $ref in schema: ${ref}`);
}

function jsonSchemaOf(content: JsonObject | undefined): unknown {
  if (!content) return undefined;
  const key = Object.keys(content).find((k) => k === 'application/json') ?? Object.keys(content).find((k) => /[/+]json\b/.test(k));
  if (key === undefined) return undefined;
  return asObject(content[key])?.['schema'];
}

function toViolation(e: ErrorObject): ContractViolation {
  let path = pointerToJsonPath(e.instancePath);
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'required' && typeof params['missingProperty'] === 'string') path = appendKey(path, params['missingProperty']);
  if (e.keyword === 'additionalProperties' && typeof params['additionalProperty'] === 'string') path = appendKey(path, params['additionalProperty']);
  const detail = e.keyword === 'enum' && Array.isArray(params['allowedValues']) ? ` ${JSON.stringify(params['allowedValues'])}` : '';
  return { path, keyword: e.keyword, message: `${e.message ?? e.keyword}${detail}`, schemaPath: e.schemaPath };
}

export function pointerToJsonPath(pointer: string): string {
  if (pointer === '') return '$';
  return pointer
    .split('/')
    .slice(1)
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : appendKey(acc, seg)), '$');
}

function appendKey(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** One line per violation; for assertion messages. */
export function describeCheck(check: ResponseCheck): string {
  switch (check.kind) {
    case 'valid':
      return `valid (${check.operation.operationId ?? check.operation.template} ${check.documentedStatus})`;
    case 'invalid':
      return [
        `${check.operation.method} ${check.operation.template} ${check.documentedStatus} (${check.operation.operationId ?? '?'}):`,
        ...check.violations.map((v) => `  ${v.path}: ${v.message}`),
      ].join('\n');
    case 'no-operation':
      return `no operation for ${check.method} ${check.path}`;
    case 'undocumented-status':
      return `${check.operation.method} ${check.operation.template}: status ${check.status} is not documented`;
    case 'no-schema':
      return `${check.operation.method} ${check.operation.template} ${check.documentedStatus}: no JSON schema`;
  }
}

function splitOperationKey(key: string): [string, string] {
  const i = key.indexOf(' ');
  if (i < 0) throw new Error(`operation key must be "METHOD /path", got ${key}`);
  return [key.slice(0, i).toUpperCase(), key.slice(i + 1).trim()];
}

function resolvePointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) throw new Error(`only local $ref supported, got ${ref}`);
  let cur: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    cur = asObject(cur)?.[seg];
  }
  return cur;
}

function asObject(v: unknown): JsonObject | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonObject) : undefined;
}

function stringOr(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
