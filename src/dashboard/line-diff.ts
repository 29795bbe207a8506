/**
 * Line diffs for YAML edits: the alignment that keeps untouched lines byte-for-byte, and the
 * unified diff shown before a pull request is opened. Edits are local, so the common prefix and
 * suffix are trimmed first and the quadratic LCS only runs on the small middle.
 */

export type LineOp = { op: 'keep'; a: number; b: number } | { op: 'del'; a: number } | { op: 'add'; b: number };

export function diffLines(a: string[], b: string[]): LineOp[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const ops: LineOp[] = [];
  for (let i = 0; i < start; i++) ops.push({ op: 'keep', a: i, b: i });
  ops.push(...middle(a, b, start, endA, start, endB));
  for (let i = 0; endA + i < a.length; i++) ops.push({ op: 'keep', a: endA + i, b: endB + i });
  return ops;
}

function middle(a: string[], b: string[], a0: number, a1: number, b0: number, b1: number): LineOp[] {
  const n = a1 - a0;
  const m = b1 - b0;
  // lcs[i][j]: longest common subsequence of a[a0+i..a1) and b[b0+j..b1).
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[a0 + i] === b[b0 + j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const ops: LineOp[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[a0 + i] === b[b0 + j]) {
      ops.push({ op: 'keep', a: a0 + i++, b: b0 + j++ });
    } else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      // Removed lines before added ones, as git shows a changed line.
      ops.push({ op: 'del', a: a0 + i++ });
    } else {
      ops.push({ op: 'add', b: b0 + j++ });
    }
  }
  return ops;
}

/** `git diff`-style unified diff with three lines of context; empty when nothing changed. */
export function unifiedDiff(file: string, before: string, after: string): string {
  const a = splitLines(before);
  const b = splitLines(after);
  const ops = diffLines(a, b);
  const changed = ops.map((o, i) => (o.op === 'keep' ? -1 : i)).filter((i) => i >= 0);
  if (changed.length === 0) return '';
  const context = 3;
  const hunks: [number, number][] = [];
  for (const index of changed) {
    const from = Math.max(0, index - context);
    const to = Math.min(ops.length - 1, index + context);
    const last = hunks.at(-1);
    if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else hunks.push([from, to]);
  }
  const out = [`--- a/${file}`, `+++ b/${file}`];
  for (const [from, to] of hunks) {
    const slice = ops.slice(from, to + 1);
    const firstA = positionA(ops, from);
    const firstB = positionB(ops, from);
    const countA = slice.filter((o) => o.op !== 'add').length;
    const countB = slice.filter((o) => o.op !== 'del').length;
    out.push(`@@ -${countA === 0 ? firstA : firstA + 1},${countA} +${countB === 0 ? firstB : firstB + 1},${countB} @@`);
    for (const o of slice) out.push(o.op === 'keep' ? ` ${a[o.a]}` : o.op === 'del' ? `-${a[o.a]}` : `+${b[o.b]}`);
  }
  return `${out.join('\n')}\n`;
}

/** Index in `a` of the first line at or after op `index` (0-based). */
function positionA(ops: LineOp[], index: number): number {
  return ops.slice(0, index).filter((o) => o.op !== 'add').length;
}

function positionB(ops: LineOp[], index: number): number {
  return ops.slice(0, index).filter((o) => o.op !== 'del').length;
}

/** Lines without their terminators; a final newline does not make an extra empty line. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}
