/**
 * Presentational pieces the pages share: semantic tables that stack into labelled rows on a
 * phone, status badges that say their state in words (colour is only a second cue), times, and
 * the result of a GitOps edit (diff, diagnostics, pull-request link).
 */
import { h, type ComponentChildren, type ComponentChild } from 'preact';
import type { ChangePreview, PullRequestResult } from '../api-types.ts';

export interface Column<T> {
  label: string;
  cell: (row: T) => ComponentChildren;
  /** The row's header cell (th scope=row). */
  rowHeader?: boolean;
}

export function DataTable<T>(props: { caption: string; columns: Column<T>[]; rows: T[]; rowKey: (row: T) => string; empty: string; id?: string }): ComponentChild {
  if (props.rows.length === 0) return h('p', { class: 'empty' }, props.empty);
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'data', ...(props.id ? { id: props.id } : {}) },
      h('caption', null, props.caption),
      h('thead', null, h('tr', null, props.columns.map((c) => h('th', { scope: 'col', key: c.label }, c.label)))),
      h('tbody', null, props.rows.map((row) =>
        h('tr', { key: props.rowKey(row) }, props.columns.map((c) =>
          c.rowHeader
            ? h('th', { scope: 'row', 'data-label': c.label, key: c.label }, h('span', { class: 'cell' }, c.cell(row)))
            : h('td', { 'data-label': c.label, key: c.label }, h('span', { class: 'cell' }, c.cell(row))),
        )),
      )),
    ),
  );
}

const TONES: Record<string, string> = {
  connected: 'ok', succeeded: 'ok', clean: 'ok', correct: 'ok', applied: 'ok', sandbox: 'info', ok: 'ok',
  failing: 'bad', failed: 'bad', drift: 'warn', overdue: 'bad', 'wrong-value': 'bad', 'lookup-failed': 'bad',
  running: 'info', started: 'info', pending: 'warn', due: 'warn', 'missing-record': 'warn', 'pending-verification': 'warn', skipped: 'warn',
  unknown: 'muted', 'not-configured': 'muted', 'not-applied': 'muted', 'never-written': 'muted', checking: 'muted',
};

export function Badge(props: { state: string; label?: string }): ComponentChild {
  return h('span', { class: `badge tone-${TONES[props.state] ?? 'muted'}` }, props.label ?? props.state.replaceAll('-', ' '));
}

export function When(props: { at: string | undefined }): ComponentChild {
  if (!props.at) return h('span', { class: 'muted' }, '—');
  const date = new Date(props.at);
  return h('time', { dateTime: props.at, title: props.at }, `${date.toLocaleDateString()} ${date.toLocaleTimeString()}`);
}

export function Short(props: { text: string | undefined; length?: number }): ComponentChild {
  if (!props.text) return h('span', { class: 'muted' }, '—');
  return h('code', { class: 'short', title: props.text }, props.text.slice(0, props.length ?? 10));
}

export function Section(props: { id: string; title: string; children?: ComponentChildren; actions?: ComponentChildren }): ComponentChild {
  return h('section', { 'aria-labelledby': props.id, class: 'panel' },
    h('div', { class: 'panel-head' }, h('h2', { id: props.id }, props.title), props.actions ?? null),
    props.children,
  );
}

export function ErrorNote(props: { error: string | undefined }): ComponentChild {
  return props.error ? h('p', { class: 'error', role: 'alert' }, props.error) : null;
}

/** A unified diff; the +/- prefixes are kept as text, so they are read out as well as coloured. */
export function DiffView(props: { diff: string; label: string }): ComponentChild {
  const lines = props.diff.replace(/\n$/, '').split('\n');
  return h('figure', { class: 'diff' },
    h('figcaption', null, props.label, h('span', { class: 'hint' }, ' (lines starting with + are added, with - removed)')),
    h('pre', { tabIndex: 0, 'aria-label': props.label }, lines.map((line, i) => {
      const kind = line.startsWith('+++') || line.startsWith('---') || line.startsWith('@@') ? 'meta' : line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : 'ctx';
      return h('span', { class: `line ${kind}`, key: i }, line, '\n');
    })),
  );
}

export function ChangeOutcome(props: { result: ChangePreview | PullRequestResult | undefined; busy: boolean }): ComponentChild {
  const { result, busy } = props;
  return h('div', { class: 'outcome', role: 'status', 'aria-live': 'polite' },
    busy ? h('p', null, 'Working…') : null,
    result && !busy ? h('div', null,
      result.error ? h('p', { class: 'error' }, result.error) : null,
      result.diagnostics.length > 0
        ? h('ul', { class: 'diagnostics', 'aria-label': 'Validation errors' }, result.diagnostics.map((d) =>
          h('li', { key: `${d.file}:${d.line}:${d.column}:${d.code}` }, h('code', null, `${d.file}:${d.line}:${d.column}`), ` ${d.message} `, h('span', { class: 'hint' }, d.hint))))
        : null,
      'pullRequest' in result && result.pullRequest
        ? h('p', { class: 'success' }, 'Opened pull request ', h('a', { href: result.pullRequest.url, target: '_blank', rel: 'noreferrer' }, `#${result.pullRequest.number}`), ` from branch `, h('code', null, result.pullRequest.branch), '. Its plan comment shows what apply would change; nothing changes until it is merged.')
        : null,
      result.diff ? h(DiffView, { diff: result.diff, label: `Proposed change to ${result.file}` }) : null,
    ) : null,
  );
}
