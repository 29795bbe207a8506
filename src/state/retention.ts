/**
 * Journal retention: whole runs are removed once their last record is older than the cutoff,
 * except each environment's latest run, so `state show`, the docs and the dashboard always
 * have the last apply to show. The same rule for every backend; each deletes in its own way.
 */
export interface RunSummary {
  runId: string;
  environment: string;
  /** ISO time of the run's last record in that environment. */
  last: string;
}

export function runsToPrune(summaries: RunSummary[], cutoff: string): string[] {
  const latest = new Map<string, RunSummary>();
  for (const s of summaries) if (!latest.has(s.environment) || latest.get(s.environment)!.last < s.last) latest.set(s.environment, s);
  const keep = new Set([...latest.values()].map((s) => s.runId));
  const lastOfRun = new Map<string, string>();
  for (const s of summaries) if ((lastOfRun.get(s.runId) ?? '') < s.last) lastOfRun.set(s.runId, s.last);
  return [...lastOfRun].filter(([runId, last]) => last < cutoff && !keep.has(runId)).map(([runId]) => runId).sort();
}
