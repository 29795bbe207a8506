/**
 * The plan as a pull-request comment: a hidden marker with the fingerprint, the summary first,
 * destructive changes on top, details per environment and venture. It never exceeds the byte
 * budget whatever the plan size: groups that do not fit are listed by name and count, with a
 * pointer to the full plan.
 */
import type { Plan } from '../model/plan.ts';
import { changeHeadline, createdFields, fieldLine, groupChanges, groupTitle, isDestructive, summaryLine, type ChangeGroup } from './plan-shared.ts';

export const COMMENT_BUDGET_BYTES = 65_000;

export interface MarkdownOptions {
  /** Where the full plan is (job summary, artifact, check run). */
  fullPlanUrl?: string;
  budgetBytes?: number;
  /** Shown in the title, e.g. the shard names. */
  title?: string;
  /** The hidden first line; by default the plan's own fingerprint. */
  marker?: string;
}

export function planMarker(plan: Plan): string {
  return `<!-- shipyard:plan fingerprint=${plan.fingerprint} -->`;
}

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

export function renderPlanMarkdown(plan: Plan, options: MarkdownOptions = {}): string {
  const budget = options.budgetBytes ?? COMMENT_BUDGET_BYTES;
  const groups = groupChanges(plan.changes);
  const head: string[] = [options.marker ?? planMarker(plan), `### ${options.title ?? 'Shipyard plan'}`, '', `**${summaryLine(plan)}**`, ''];
  if (!plan.complete) head.push('> [!CAUTION]', '> A read failed: this plan deletes nothing. See the diagnostics below.', '');
  if (groups.length > 0) {
    head.push('| environment | venture | create | update | replace | delete |', '|---|---|---:|---:|---:|---:|');
    for (const group of groups) {
      const count = (action: string) => group.changes.filter((c) => c.action === action).length;
      head.push(`| ${group.environment} | ${group.venture ?? '(environment)'} | ${count('create')} | ${count('update')} | ${count('replace')} | ${count('delete')} |`);
    }
    head.push('');
  }
  const errors = plan.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    head.push('> [!WARNING]', `> **${errors.length} error(s) block apply:**`);
    for (const d of errors.slice(0, 20)) head.push(`> - \`${d.code}\` ${escapeMarkdown(d.message)}: ${escapeMarkdown(d.hint)}`);
    if (errors.length > 20) head.push(`> - …and ${errors.length - 20} more (see the full plan)`);
    head.push('');
  }
  const destructive = plan.changes.filter(isDestructive);
  if (destructive.length > 0) {
    head.push(`> [!IMPORTANT]`, `> **${destructive.length} destructive change(s)** (review these first):`);
    for (const change of destructive.slice(0, 30)) head.push(`> - \`${changeHeadline(change).trim()}\``);
    if (destructive.length > 30) head.push(`> - …and ${destructive.length - 30} more`);
    head.push('');
  }
  const footer = options.fullPlanUrl
    ? `\nThe full plan: ${options.fullPlanUrl} (also \`shipyard plan --format json\`).`
    : '\nThe full plan is in the job summary and the `shipyard-plan` artifact (also `shipyard plan --format json`).';
  const fingerprintLine = `\n<sub>fingerprint \`${plan.fingerprint}\`${plan.revision ? ` · revision \`${plan.revision}\`` : ''}</sub>\n`;

  let body = head.join('\n');
  const omitted: ChangeGroup[] = [];
  // The footer and a note about omitted groups must always fit: reserve room for them.
  const reserve = bytes(footer) + bytes(fingerprintLine) + 2_000;
  for (const group of groups) {
    const section = renderGroup(group);
    if (omitted.length === 0 && bytes(body) + bytes(section) + reserve <= budget) body += section;
    else omitted.push(group);
  }
  if (omitted.length > 0) {
    const total = omitted.reduce((n, g) => n + g.changes.length, 0);
    const note = `\n**${omitted.length} group(s) with ${total} change(s) are not shown here to keep this comment under ${Math.floor(budget / 1000)} KB.**`;
    const names = omitted.map((g) => `${groupTitle(g)} (${g.changes.length})`);
    let listed = '';
    for (const name of names) {
      if (bytes(body) + bytes(note) + bytes(listed) + bytes(name) + reserve - 1_500 > budget) break;
      listed += `${listed ? ', ' : ' Not shown: '}${name}`;
    }
    body += `${note}${listed}\n`;
  }
  body += footer + fingerprintLine;
  return body;
}

function renderGroup(group: ChangeGroup): string {
  const lines = group.changes.flatMap((change) => [changeHeadline(change), ...change.fields.map((f) => `    ${fieldLine(f)}`), ...createdFields(change).map((f) => `    ${f}`)]);
  return `\n<details><summary><b>${escapeHtml(groupTitle(group))}</b>: ${group.changes.length} change(s)</summary>\n\n\`\`\`diff\n${lines.map(fenceSafe).join('\n')}\n\`\`\`\n\n</details>\n`;
}

function fenceSafe(line: string): string {
  return line.replaceAll('```', "'''");
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function escapeMarkdown(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('<', '&lt;');
}
