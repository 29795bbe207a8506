/**
 * Edits of ventures/<name>.yaml made from the dashboard: add, change or remove an env var, add
 * a domain. The `yaml` Document API makes the edit (comments and structure survive); then every
 * line the edit did not touch is copied from the original text, so the pull request's diff is
 * the edit and nothing else, even where the YAML writer would space a flow collection
 * differently. The caller validates the result with the config loader before anything is created.
 */
import { isMap, isSeq, parseDocument, YAMLMap, YAMLSeq, type Document } from 'yaml';
import { looksLikeSecretValue } from '../config/secret-patterns.ts';
import type { DomainEdit, EnvSource, EnvVarEdit } from './api-types.ts';
import { diffLines, splitLines } from './line-diff.ts';

export type EditResult = { ok: true; text: string; summary: string } | { ok: false; error: string };

const TARGETS = ['production', 'preview', 'development'];
const KEY = /^[A-Za-z_][A-Za-z0-9_]{0,255}$/;
const DOMAIN = /^(?!www\.)[a-z0-9-]+(\.[a-z0-9-]+)+$/;

export function editEnvVar(text: string, edit: EnvVarEdit): EditResult {
  const key = typeof edit.key === 'string' ? edit.key.trim() : '';
  if (!KEY.test(key)) return { ok: false, error: 'the key must be letters, digits and underscores, not starting with a digit (e.g. STRIPE_SECRET_KEY)' };
  if (edit.action === 'remove') {
    return rewrite(text, (doc) => {
      const env = doc.getIn(['spec', 'vercel', 'env'], true);
      const index = isSeq(env) ? findByKey(env, key) : -1;
      if (index === -2) return `${key} is declared more than once (per git branch); edit those entries in git`;
      if (!isSeq(env) || index < 0) return `${key} is not declared in this venture`;
      env.items.splice(index, 1);
      return undefined;
    }, `remove env var ${key}`);
  }
  if (edit.action !== 'upsert') return { ok: false, error: 'action must be upsert or remove' };
  const problem = checkSource(edit);
  if (problem) return { ok: false, error: problem };
  const source = edit.source!;
  const targets = [...new Set(edit.targets ?? [])];
  const bad = targets.find((t) => !TARGETS.includes(t));
  if (bad !== undefined) return { ok: false, error: `unknown target ${JSON.stringify(bad)}: use production, preview or development` };
  const description = typeof edit.description === 'string' ? edit.description.trim() : '';

  let summary = '';
  const result = rewrite(text, (doc) => {
    const vercel = doc.getIn(['spec', 'vercel'], true);
    if (!isMap(vercel)) return 'this venture has no Vercel project (spec.vercel); add one in git first';
    let env: unknown = vercel.get('env', true);
    if (env === undefined) {
      env = new YAMLSeq();
      vercel.set('env', env);
    }
    if (!isSeq(env)) return 'spec.vercel.env is not a list';
    const index = findByKey(env, key);
    if (index === -2) return `${key} is declared more than once (per git branch); edit those entries in git`;
    const flowValue = env.items.some((item) => isMap(item) && (item.get('value', true) as { flow?: boolean } | undefined)?.flow === true) || env.items.length === 0;
    const value = doc.createNode(sourceYaml(source));
    value.flow = flowValue;
    if (index >= 0) {
      const item = env.items[index] as YAMLMap;
      summary = `change env var ${key}`;
      if (description) item.set('description', description);
      setTargets(doc, item, targets);
      if (edit.sensitive) item.set('sensitive', true);
      else if (item.has('sensitive')) item.delete('sensitive');
      item.set('value', value);
      return undefined;
    }
    summary = `add env var ${key}`;
    const item = new YAMLMap();
    item.set('key', key);
    item.set('description', description);
    setTargets(doc, item, targets);
    if (edit.sensitive) item.set('sensitive', true);
    item.set('value', value);
    env.items.push(item);
    return undefined;
  }, '', unpadTargets(text));
  return result.ok ? { ...result, summary } : result;
}

/** The writer pads flow sequences like flow maps; where the file writes `[production]`, added target lists follow it. */
function unpadTargets(text: string): ((line: string) => string) | undefined {
  if (!/\[[^\s\]]/.test(text)) return undefined;
  return (line) => line.replace(/^(\s*targets: )\[ ([a-z, ]+) \]$/, '$1[$2]');
}

export function addDomain(text: string, edit: DomainEdit): EditResult {
  const name = normaliseDomain(edit.domain);
  const problem = domainProblem(name);
  if (problem) return { ok: false, error: problem };
  if (!['www-to-apex', 'apex-to-www', 'none'].includes(edit.redirect)) return { ok: false, error: 'redirect must be www-to-apex, apex-to-www or none' };
  if (!['vercel', 'external'].includes(edit.dnsMode)) return { ok: false, error: 'DNS mode must be vercel or external' };
  return rewrite(text, (doc) => {
    const vercel = doc.getIn(['spec', 'vercel'], true);
    if (!isMap(vercel)) return 'this venture has no Vercel project (spec.vercel); add one in git first';
    let domains: unknown = vercel.get('domains', true);
    if (domains === undefined) {
      domains = new YAMLSeq();
      vercel.set('domains', domains);
    }
    if (!isSeq(domains)) return 'spec.vercel.domains is not a list';
    if (domains.items.some((d) => isMap(d) && d.get('name') === name)) return `${name} is already a domain of this venture`;
    const item = new YAMLMap();
    item.set('name', name);
    item.set('redirect', edit.redirect);
    item.set('dns', doc.createNode({ mode: edit.dnsMode }));
    domains.items.push(item);
    return undefined;
  }, `add domain ${name}`);
}

/** Lower case, no trailing dot: what the schema and DNS compare. */
export function normaliseDomain(input: unknown): string {
  return typeof input === 'string' ? input.trim().toLowerCase().replace(/\.$/, '') : '';
}

export function domainProblem(name: string): string | undefined {
  if (name.startsWith('www.')) return `enter the apex domain (${name.slice(4)}): its www twin is added with it`;
  if (!DOMAIN.test(name) || name.length > 253) return 'enter a domain name such as example.com (letters, digits and hyphens, at least one dot)';
  return undefined;
}

/** The form may only reference where a secret lives; a value is accepted only for non-secrets. */
function checkSource(edit: EnvVarEdit): string | undefined {
  const source = edit.source;
  if (!source || typeof source !== 'object') return 'choose where the value comes from';
  switch (source.kind) {
    case 'literal':
      if (edit.sensitive) return 'a sensitive variable cannot have a value here: reference a runner secret by name, or let Shipyard generate the value';
      if (typeof source.literal !== 'string') return 'the literal value must be text';
      // Do not echo the value back: it may be a secret typed in by mistake.
      if (looksLikeSecretValue(source.literal)) return 'this value looks like a secret, and secrets never go into git: store it as a runner secret and reference it by name';
      return undefined;
    case 'secretRef':
      return typeof source.name === 'string' && /^[A-Z][A-Z0-9_]{0,127}$/.test(source.name) ? undefined : 'the runner secret name must be upper case letters, digits and underscores (e.g. STRIPE_SECRET_KEY)';
    case 'generated':
      return Number.isInteger(source.length) && source.length >= 16 && source.length <= 512 ? undefined : 'a generated value needs a length from 16 to 512';
    case 'output':
      return typeof source.output === 'string' && source.output.startsWith('supabase.') ? undefined : 'choose a Supabase output';
    default:
      return 'unknown value source';
  }
}

function sourceYaml(source: EnvSource): Record<string, unknown> {
  switch (source.kind) {
    case 'literal':
      return { literal: source.literal };
    case 'secretRef':
      return { secretRef: source.name };
    case 'generated':
      return { generate: { length: source.length, ...(source.alphabet && source.alphabet !== 'base64url' ? { alphabet: source.alphabet } : {}) } };
    case 'output':
      return { output: source.output };
  }
}

function setTargets(doc: Document, item: YAMLMap, targets: string[]): void {
  if (targets.length === 0) {
    if (item.has('targets')) item.delete('targets');
    return;
  }
  const node = doc.createNode([...targets].sort((a, b) => TARGETS.indexOf(a) - TARGETS.indexOf(b)));
  node.flow = true;
  item.set('targets', node);
}

/** Index of the one item with this key; -1 when none, -2 when several (per-branch entries). */
function findByKey(seq: YAMLSeq, key: string): number {
  const matches = seq.items.map((item, i) => (isMap(item) && item.get('key') === key ? i : -1)).filter((i) => i >= 0);
  if (matches.length > 1) return -2;
  return matches[0] ?? -1;
}

function rewrite(text: string, mutate: (doc: Document) => string | undefined, summary: string, styleAdded?: (line: string) => string): EditResult {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return { ok: false, error: `the file on the base branch does not parse: ${doc.errors[0]!.message}` };
  // Write flow maps the way the file already does (padded, as in this repository, when it has none yet).
  const flowMaps = text.match(/\{[^{}\n]*\}/g) ?? [];
  const options = { lineWidth: 0, flowCollectionPadding: flowMaps.length === 0 || flowMaps.some((m) => /^\{ .* \}$/.test(m)) };
  const before = parseDocument(text).toString(options);
  const problem = mutate(doc);
  if (problem) return { ok: false, error: problem };
  return { ok: true, text: keepUntouchedLines(text, before, doc.toString(options), styleAdded), summary };
}

/**
 * `before` is the writer's rendering of the unedited file, `after` of the edited one. Lines the
 * edit kept are taken from the original; only when the writer changed the layout of the file
 * beyond spacing (so lines no longer correspond) is its rendering used as a whole.
 */
export function keepUntouchedLines(original: string, before: string, after: string, styleAdded: (line: string) => string = (line) => line): string {
  const o = splitLines(original);
  const b = splitLines(before);
  const squash = (line: string) => line.replace(/\s+/g, '');
  if (o.length !== b.length || o.some((line, i) => squash(line) !== squash(b[i]!))) return after;
  const a = splitLines(after);
  const out: string[] = [];
  for (const op of diffLines(b, a)) {
    if (op.op === 'keep') out.push(o[op.a]!);
    else if (op.op === 'add') out.push(styleAdded(a[op.b]!));
  }
  return `${out.join('\n')}${original.endsWith('\n') || original === '' ? '\n' : ''}`;
}
