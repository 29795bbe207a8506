/** The benchmark table: each figure with its value, its bound and the ratio between them. */
export interface BenchRow {
  figure: string;
  value: number;
  unit: string;
  /** The goal, in the same unit. */
  bound: number;
  /** `min`: value must reach the bound (throughput); `max`: value must stay under it (time, memory, calls). */
  goal: 'min' | 'max';
}

export function formatTable(rows: BenchRow[]): string {
  const lines = rows.map((row) => {
    const ratio = row.value / row.bound;
    const ok = row.goal === 'min' ? ratio >= 1 : ratio <= 1;
    return [row.figure, `${format(row.value)} ${row.unit}`, `${row.goal === 'min' ? '≥' : '≤'} ${format(row.bound)} ${row.unit}`, ratio.toFixed(2), ok ? 'ok' : 'MISSED'];
  });
  const header = ['figure', 'value', 'goal', 'ratio', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const render = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [render(header), render(widths.map((w) => '-'.repeat(w))), ...lines.map(render)].join('\n');
}

function format(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 2 : 0);
}

export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}
