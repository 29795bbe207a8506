/** Durations as the schemas write them (`30d`, `12h`, `15m`), in milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)(m|h|d)$/.exec(text);
  if (!match) throw new Error(`invalid duration ${text}: write a number and m, h or d (e.g. 90d)`);
  return Number(match[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'm' | 'h' | 'd'];
}
