/**
 * Writing Markdown for the generated guides: tables, code blocks, inline code and links that
 * stay valid wherever the docs are written (relative between generated files, and to repository
 * files through a base the caller chooses).
 */
import path from 'node:path';

/** A table cell: pipes would split the cell and newlines would end the row. */
export function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

export function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(head), `|${head.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

/** Inline code; a value holding backticks gets a longer fence, as CommonMark allows. */
export function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return longest > 0 ? `${fence} ${text} ${fence}` : `${fence}${text}${fence}`;
}

export function codeBlock(language: string, lines: string | string[]): string {
  const body = Array.isArray(lines) ? lines.join('\n') : lines.replace(/\n$/, '');
  return `\`\`\`${language}\n${body}\n\`\`\``;
}

/** Shell commands: one per line, so that each can be copied (and checked) on its own. */
export function commands(lines: string[]): string {
  return codeBlock('sh', lines);
}

export function bullets(items: string[]): string {
  return items.map((item) => `- ${item}`).join('\n');
}

export function numbered(items: string[]): string {
  return items.map((item, i) => `${i + 1}. ${item}`).join('\n');
}

/** Paragraphs and blocks joined by blank lines, ending with one newline; empty parts dropped. */
export function page(parts: (string | undefined | false)[]): string {
  return `${parts.filter((part): part is string => typeof part === 'string' && part.length > 0).join('\n\n')}\n`;
}

/** The anchor GitHub gives a heading: lowercase, punctuation dropped, spaces to hyphens. */
export function anchor(heading: string): string {
  return heading.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').trim().replace(/\s/g, '-');
}

export interface Links {
  /**
   * Where repository files are, seen from the docs root: a relative path (`../..` for
   * `.shipyard/docs`) or a URL prefix (`https://github.com/OWNER/REPO/blob/SHA`).
   */
  repository: string;
}

/** A link from one generated file to another, both relative to the docs root. */
export function docLink(from: string, to: string, text: string): string {
  const relative = path.posix.relative(path.posix.dirname(from), to);
  return `[${text}](${relative})`;
}

/** A link from a generated file to a file of the repository, e.g. `ventures/acme-notes.yaml`. */
export function repoLink(links: Links, from: string, file: string, text: string = file): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(links.repository)) return `[${text}](${links.repository.replace(/\/+$/, '')}/${file})`;
  const up = path.posix.relative(path.posix.dirname(from), '.');
  return `[${text}](${path.posix.join(up, links.repository, file)})`;
}

/** `a, b and c`. */
export function list(items: string[], conjunction = 'and'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items.at(-1)}`;
}
