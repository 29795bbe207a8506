// Method + path-template routing shared by the emulators and the OpenAPI validator,
// so "which operation is this request" has one answer everywhere.

export type PathParams = Record<string, string>;

export interface PathTemplate {
  readonly template: string;
  readonly names: readonly string[];
  readonly regex: RegExp;
  /** Characters outside `{param}` placeholders; more literal text = more specific. */
  readonly literalLength: number;
}

const PLACEHOLDER = /\{([^}/]+)\}/g;

export function compilePathTemplate(template: string): PathTemplate {
  const names: string[] = [];
  let source = '';
  let literalLength = 0;
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    const literal = template.slice(last, m.index);
    source += escapeRegex(literal) + '([^/]+)';
    literalLength += literal.length;
    names.push(m[1] ?? '');
    last = m.index + m[0].length;
  }
  const tail = template.slice(last);
  source += escapeRegex(tail);
  literalLength += tail.length;
  return { template, names, regex: new RegExp(`^${source}$`), literalLength };
}

export function matchPathTemplate(t: PathTemplate, path: string): PathParams | undefined {
  const m = t.regex.exec(path);
  if (!m) return undefined;
  const params: PathParams = {};
  t.names.forEach((name, i) => {
    const raw = m[i + 1] ?? '';
    params[name] = safeDecode(raw);
  });
  return params;
}

export interface RouteMatch<H> {
  readonly method: string;
  readonly template: string;
  readonly params: PathParams;
  readonly handler: H;
}

export type RouteLookup<H> =
  | { readonly kind: 'found'; readonly match: RouteMatch<H> }
  | { readonly kind: 'method-not-allowed'; readonly allowed: readonly string[] }
  | { readonly kind: 'not-found' };

interface Entry<H> {
  readonly method: string;
  readonly path: PathTemplate;
  readonly handler: H;
}

export class Router<H> {
  readonly #entries: Entry<H>[] = [];

  add(method: string, template: string, handler: H): this {
    const upper = method.toUpperCase();
    if (this.#entries.some((e) => e.method === upper && e.path.template === template)) {
      throw new Error(`route already defined: ${upper} ${template}`);
    }
    this.#entries.push({ method: upper, path: compilePathTemplate(template), handler });
    return this;
  }

  lookup(method: string, path: string): RouteLookup<H> {
    const upper = method.toUpperCase();
    const candidates = this.#entries
      .map((e) => ({ e, params: matchPathTemplate(e.path, path) }))
      .filter((c): c is { e: Entry<H>; params: PathParams } => c.params !== undefined);
    if (candidates.length === 0) return { kind: 'not-found' };
    const sameMethod = candidates.filter((c) => c.e.method === upper);
    if (sameMethod.length === 0) {
      return { kind: 'method-not-allowed', allowed: [...new Set(candidates.map((c) => c.e.method))].sort() };
    }
    // `/domains/records/{id}` must win over `/domains/{domain}/{x}`: prefer the most literal template.
    sameMethod.sort((a, b) => b.e.path.literalLength - a.e.path.literalLength);
    const best = sameMethod[0]!;
    return {
      kind: 'found',
      match: { method: upper, template: best.e.path.template, params: best.params, handler: best.e.handler },
    };
  }

  routes(): { method: string; template: string }[] {
    return this.#entries.map((e) => ({ method: e.method, template: e.path.template }));
  }
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
