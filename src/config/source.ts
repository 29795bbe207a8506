/**
 * YAML documents that remember where every node came from, so that schema and cross-file
 * errors can name file:line:col of the offending node.
 */
import { load as loadYaml } from 'js-yaml';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { Diagnostic, SourcePosition } from '../model/diagnostic.ts';

export type JsonPath = readonly (string | number)[];

/**
 * One configuration file. The position-keeping YAML document is built only when a position is
 * needed (a diagnostic, a resource's source line): parsing with positions costs ten times more
 * than a plain load, and valid files mostly never need it.
 */
export class SourceFile {
  readonly file: string;
  readonly text: string;
  #document: Document.Parsed | undefined;
  #lines: LineCounter | undefined;

  constructor(file: string, text: string) {
    this.file = file;
    this.text = text;
  }

  get document(): Document.Parsed {
    if (!this.#document) {
      this.#lines = new LineCounter();
      this.#document = parseDocument(this.text, { lineCounter: this.#lines, prettyErrors: false, uniqueKeys: true, strict: true });
    }
    return this.#document;
  }

  get lines(): LineCounter {
    void this.document;
    return this.#lines!;
  }
}

export interface ParsedFile {
  source: SourceFile;
  /** The document's data, or undefined when the YAML is invalid. */
  data?: unknown;
  diagnostics: Diagnostic[];
}

/** Fast path: js-yaml (YAML 1.2 core schema, like `yaml`). On any doubt, `yaml` decides and explains. */
export function parseSourceFile(file: string, text: string): ParsedFile {
  const source = new SourceFile(file, text);
  try {
    return { source, data: loadYaml(text, { filename: file, maxAliases: 100 }), diagnostics: [] };
  } catch {
    // Fall through: the position-keeping parser produces the diagnostic (or, rarely, accepts the file).
  }
  const { document, lines } = source;
  const diagnostics: Diagnostic[] = [];
  // After the first syntax error the parser's later errors are mostly its consequences: report the first only.
  for (const error of [...document.errors.slice(0, 1), ...document.warnings]) {
    const { line, col } = lines.linePos(error.pos[0]);
    diagnostics.push({
      file,
      line,
      column: col,
      severity: document.errors.includes(error) ? 'error' : 'warning',
      code: `yaml.${error.code.toLowerCase().replaceAll('_', '-')}`,
      message: firstLine(error.message),
      hint: yamlHint(error.code),
    });
  }
  if (document.errors.length > 0) return { source, diagnostics };
  try {
    return { source, data: document.toJS({ maxAliasCount: 100 }), diagnostics };
  } catch (error) {
    // toJS throws on aliases that resolve to nothing or expand too much: bad input, not a crash.
    diagnostics.push({ ...locate(source, []), severity: 'error', code: 'yaml.alias', message: firstLine((error as Error).message), hint: 'Define each anchor (&name) before its alias (*name), and do not nest aliases deeply.' });
    return { source, diagnostics };
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function yamlHint(code: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'Remove one of the two entries with this key; YAML keys must be unique in a mapping.';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
      return 'Check the indentation of this line against its siblings (spaces only, no tabs).';
    case 'TAB_AS_INDENT':
      return 'Replace the tab characters with spaces.';
    default:
      return 'Fix the YAML syntax at this position; `npx yaml valid < FILE` shows the same error.';
  }
}

/**
 * Position of the node at `path`. With `key: true`, the position of the mapping key that
 * holds it (used for "unknown property" errors). Falls back to the deepest existing ancestor.
 */
export function locate(source: SourceFile, path: JsonPath, options: { key?: boolean } = {}): SourcePosition {
  let node: unknown = source.document.contents;
  let keyNode: unknown;
  for (const segment of path) {
    const next = child(node, segment);
    if (!next) break;
    node = next.value;
    keyNode = next.key;
  }
  const target = options.key && keyNode ? keyNode : (node ?? keyNode);
  const offset = rangeStart(target) ?? rangeStart(keyNode) ?? 0;
  const { line, col } = source.lines.linePos(offset);
  return { file: source.file, line, column: col };
}

function child(node: unknown, segment: string | number): { key?: unknown; value: unknown } | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      if (String(key) === String(segment)) return { key: pair.key, value: pair.value ?? pair.key };
    }
    return undefined;
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment];
    return item === undefined ? undefined : { value: isPair(item) ? item.value : item };
  }
  return undefined;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | undefined)?.range;
  return range ? range[0] : undefined;
}
