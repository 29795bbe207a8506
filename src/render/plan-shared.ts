/** Pieces the text and markdown renderers share: symbols, summary line, grouping, value display. */
import type { Action, Change, FieldChange, Plan } from '../model/plan.ts';
import type { JsonValue } from '../model/resource.ts';

export const symbols: Record<Action, string> = { create: '+', update: '~', replace: '±', delete: '-', noop: ' ' };
const order: Record<Action, number> = { delete: 0, replace: 1, create: 2, update: 3, noop: 4 };

export function summaryLine(plan: Plan): string {
  const s = plan.summary;
  const parts = [`${s.create} to create`, `${s.update} to update`, `${s.replace} to replace`, `${s.delete} to delete`, `${s.noop} unchanged`];
  let line = `Plan: ${parts.join(', ')}.`;
  if (s.unverifiable > 0) line += ` ${s.unverifiable} secret value(s) cannot be read back: drift there is unverifiable.`;
  if (s.unmanaged > 0) line += ` ${s.unmanaged} unmanaged resource(s) left alone.`;
  return line;
}

export function isDestructive(change: Change): boolean {
  return change.action === 'delete' || change.action === 'replace';
}

export interface ChangeGroup {
  environment: string;
  venture: string | undefined;
  changes: Change[];
}

/** Changes grouped by environment and venture; destructive groups first, then by name. */
export function groupChanges(changes: Change[]): ChangeGroup[] {
  const groups = new Map<string, ChangeGroup>();
  for (const change of changes) {
    // Unchanged resources are counted in the summary (with their unverifiable secrets), not listed.
    if (change.action === 'noop') continue;
    const key = `${change.environment}\u0000${change.venture ?? ''}`;
    if (!groups.has(key)) groups.set(key, { environment: change.environment, venture: change.venture, changes: [] });
    groups.get(key)!.changes.push(change);
  }
  for (const group of groups.values()) group.changes.sort((a, b) => order[a.action] - order[b.action] || a.address.localeCompare(b.address));
  return [...groups.values()].sort(
    (a, b) =>
      Number(b.changes.some(isDestructive)) - Number(a.changes.some(isDestructive)) ||
      a.environment.localeCompare(b.environment) ||
      (a.venture ?? '').localeCompare(b.venture ?? ''),
  );
}

export function groupTitle(group: ChangeGroup): string {
  return group.venture ? `${group.environment} · ${group.venture}` : `${group.environment} · environment`;
}

export function show(value: JsonValue | undefined): string {
  if (value === undefined) return '(absent)';
  const text = JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

export function fieldLine(field: FieldChange): string {
  if (field.unverifiable) return `${field.path}: [secret] (unverifiable: cannot be read back)`;
  const replace = field.forcesReplacement ? '  # forces replacement' : '';
  return `${field.path}: ${show(field.before)} → ${show(field.after)}${replace}`;
}

export function changeHeadline(change: Change): string {
  const notes = [change.reason, ...(change.irreversible ?? []).map((i) => `irreversible: ${i}`)].filter(Boolean);
  return `${symbols[change.action]} ${change.action.padEnd(7)} ${change.address}${notes.length ? `  (${notes.join('; ')})` : ''}`;
}

export function createdFields(change: Change): string[] {
  if (change.action !== 'create' || change.after === undefined) return [];
  return flatten(change.after, '').map(([path, value]) => `${path}: ${show(value)}`);
}

function flatten(value: JsonValue, path: string): [string, JsonValue][] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.keys(value).sort().flatMap((key) => flatten(value[key]!, `${path}/${key}`));
  }
  return [[path || '/', value]];
}
