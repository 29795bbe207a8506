/** The plan as stable JSON: sorted keys, versioned by `formatVersion`. */
import { sortKeys } from '../diff/canonical.ts';
import type { Plan } from '../model/plan.ts';

export function renderPlanJson(plan: Plan): string {
  return `${JSON.stringify(sortKeys(plan), null, 2)}\n`;
}
