/** Reading generated Markdown the way a person does: code blocks, commands, links and headings. */

export interface FencedBlock {
  language: string;
  body: string;
}

export function fencedBlocks(markdown: string): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  const pattern = /^```(\S*)\n([\s\S]*?)\n```$/gm;
  for (const match of markdown.matchAll(pattern)) blocks.push({ language: match[1]!, body: match[2]! });
  return blocks;
}

/** The text outside fenced blocks, for inline code and links. */
function prose(markdown: string): string {
  return markdown.replace(/^```\S*\n[\s\S]*?\n```$/gm, '');
}

function inlineCode(markdown: string): string[] {
  return [...prose(markdown).matchAll(/(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g)].map((m) => m[2]!.trim());
}

/**
 * Every command a reader may copy: the lines of `sh` blocks, and inline code that starts with a
 * command name. Each is tagged with the program it runs.
 */
export function commandLines(markdown: string): string[] {
  const fromBlocks = fencedBlocks(markdown).filter((b) => b.language === 'sh').flatMap((b) => b.body.split('\n')).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const fromInline = inlineCode(markdown).filter((c) => /^(shipyard|kubectl|git) /.test(c));
  return [...fromBlocks, ...fromInline];
}

/** Relative and absolute link targets outside code. */
export function linkTargets(markdown: string): string[] {
  const text = prose(markdown).replace(/(`+)(?!`)[\s\S]*?[^`]\1(?!`)/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
}

export function headings(markdown: string): string[] {
  return [...prose(markdown).matchAll(/^#{1,6} (.+)$/gm)].map((m) => m[1]!.trim());
}

/** GitHub's heading anchors, computed independently of src/docs. */
export function githubAnchor(heading: string): string {
  return heading.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
}

/** Splits a command line like a POSIX shell would for the plain words, single and double quotes the docs use. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote: '"' | "'" | undefined;
  let started = false;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (/\s/.test(ch)) {
      if (started) words.push(current);
      current = '';
      started = false;
    } else {
      if (/[|&;<>()$`\\*?]/.test(ch)) throw new Error(`shell syntax ${JSON.stringify(ch)} in a documented command: ${line}`);
      current += ch;
      started = true;
    }
  }
  if (quote) throw new Error(`unterminated quote in: ${line}`);
  if (started) words.push(current);
  return words;
}
