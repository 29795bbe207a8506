/** The plan for a terminal: one line per change, field diffs indented, colour on a TTY. */
import { UNMANAGED_NOTE, type Action, type Plan } from '../model/plan.ts';
import { changeHeadline, createdFields, fieldLine, groupChanges, groupTitle, summaryLine } from './plan-shared.ts';

const colours: Record<Action, string> = { create: '32', update: '33', replace: '35', delete: '31', noop: '2' };

export function renderPlanText(plan: Plan, options: { colour?: boolean } = {}): string {
  const paint = (code: string, text: string) => (options.colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  const lines: string[] = [`Shipyard plan ${plan.fingerprint.slice(0, 12)}${plan.revision ? ` at ${plan.revision.slice(0, 12)}` : ''}`];
  if (!plan.complete) lines.push(paint('31', 'Incomplete: a read failed, so this plan deletes nothing (see diagnostics).'));
  for (const group of groupChanges(plan.changes)) {
    lines.push('', paint('1', groupTitle(group)));
    for (const change of group.changes) {
      lines.push(`  ${paint(colours[change.action], changeHeadline(change))}`);
      for (const field of change.fields) lines.push(`      ${fieldLine(field)}`);
      for (const created of createdFields(change)) lines.push(`      ${created}`);
    }
  }
  if (plan.unmanaged.length > 0) {
    lines.push('', 'Unmanaged (not managed by this plan, left alone):');
    for (const u of plan.unmanaged) lines.push(`  ? ${u.address}${u.note === UNMANAGED_NOTE ? '' : `  (${u.note})`}`);
  }
  if (plan.diagnostics.length > 0) {
    lines.push('');
    for (const d of plan.diagnostics) lines.push(paint(d.severity === 'error' ? '31' : '33', `${d.severity} ${d.code}: ${d.message}`), `    → ${d.hint}`);
  }
  lines.push('', summaryLine(plan));
  return `${lines.join('\n')}\n`;
}
