/**
 * The log viewer: provisioning events from the journal, filtered by environment, venture,
 * provider and outcome, streamed (server-sent events) so the steps of a running apply appear as
 * they happen. Filters live in the URL, so a filtered view can be shared.
 */
import { h, type ComponentChild } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { JournalEntry, JournalFilters, OverviewResponse } from '../api-types.ts';
import { getJson, query } from './api.ts';
import { browser, type ControlEvent, type SubmitLike } from './browser.ts';
import { Badge, DataTable, ErrorNote, Short, When } from './widgets.ts';

const MAX_ROWS = 1000;
const OUTCOMES = ['started', 'succeeded', 'failed', 'skipped'];
const PROVIDERS = ['kubernetes', 'vercel', 'supabase'];

type Connection = 'connecting' | 'live' | 'reconnecting';

function filtersFromUrl(): JournalFilters {
  const params = new URLSearchParams(browser.location.search);
  const out: JournalFilters = {};
  for (const key of ['environment', 'venture', 'provider', 'outcome'] as const) {
    const value = params.get(key);
    if (value) out[key] = value;
  }
  return out;
}

/** Steps of the newest run that started and have not finished yet. */
function running(entries: JournalEntry[]): { runId: string; open: number; done: number } | undefined {
  const last = entries.at(-1);
  if (!last) return undefined;
  const finals = new Map<string, string>();
  for (const e of entries) if (e.runId === last.runId) finals.set(`${e.address}|${e.action}`, e.outcome);
  const open = [...finals.values()].filter((o) => o === 'started').length;
  return open > 0 ? { runId: last.runId, open, done: finals.size - open } : undefined;
}

export function LogsPage(props: { navigate: (url: string, replace?: boolean) => void }): ComponentChild {
  const [filters, setFilters] = useState<JournalFilters>(filtersFromUrl);
  const [entries, setEntries] = useState<JournalEntry[]>([]);
  const [connection, setConnection] = useState<Connection>('connecting');
  const [engine, setEngine] = useState<string | undefined>(undefined);
  const [choices, setChoices] = useState<{ environments: string[]; ventures: string[] }>({ environments: [], ventures: [] });
  const [error, setError] = useState<string | undefined>(undefined);

  useEffect(() => {
    getJson<OverviewResponse>('/api/overview').then(
      (o) => setChoices({ environments: o.environments.map((e) => e.name), ventures: o.ventures.map((v) => v.name) }),
      (e: Error) => setError(e.message),
    );
  }, []);

  const search = query({ ...filters });
  useEffect(() => {
    setEntries([]);
    setConnection('connecting');
    const source = new browser.EventSource(`/api/events${search}`);
    const add = (batch: JournalEntry[]) =>
      setEntries((current) => {
        const seen = new Set(current.map((e) => e.key));
        const merged = [...current, ...batch.filter((e) => !seen.has(e.key))];
        return merged.length > MAX_ROWS ? merged.slice(-MAX_ROWS) : merged;
      });
    source.onopen = () => setConnection('live');
    source.onerror = () => setConnection('reconnecting');
    source.addEventListener('backlog', (event) => {
      setConnection('live');
      add(JSON.parse(event.data) as JournalEntry[]);
    });
    source.addEventListener('journal', (event) => add(JSON.parse(event.data) as JournalEntry[]));
    source.addEventListener('engine', (event) => {
      const e = JSON.parse(event.data) as { type: string; address?: string; message?: string };
      setEngine(`${e.type}${e.address ? ` ${e.address}` : ''}${e.message ? `: ${e.message}` : ''}`);
    });
    return () => source.close();
  }, [search]);

  const change = (key: keyof JournalFilters, value: string) => {
    const next = { ...filters, [key]: value || undefined };
    setFilters(next);
    props.navigate(`/logs${query({ ...next })}`, true);
  };

  const run = useMemo(() => running(entries), [entries]);
  const newestFirst = useMemo(() => [...entries].reverse(), [entries]);

  const select = (key: keyof JournalFilters, label: string, options: string[]) =>
    h('div', { class: 'field', key },
      h('label', { for: `filter-${key}` }, label),
      h('select', { id: `filter-${key}`, value: filters[key] ?? '', onChange: (e: ControlEvent) => change(key, e.currentTarget.value) },
        h('option', { value: '' }, 'All'),
        options.map((o) => h('option', { key: o, value: o }, o))),
    );

  return h('div', null,
    h('div', { class: 'page-head' }, h('h1', { id: 'page-title', tabIndex: -1 }, 'Provisioning log')),
    h(ErrorNote, { error }),
    h('form', { class: 'filters', 'aria-label': 'Filter the log', onSubmit: (e: SubmitLike) => e.preventDefault() },
      select('environment', 'Environment', choices.environments),
      select('venture', 'Venture', choices.ventures),
      select('provider', 'Provider', PROVIDERS),
      select('outcome', 'Outcome', OUTCOMES),
    ),
    h('p', { class: `live live-${connection}`, role: 'status', 'aria-live': 'polite', id: 'live-status' },
      connection === 'live' ? h('span', null, h('span', { class: 'dot', 'aria-hidden': 'true' }), 'Live: new events appear as they are journaled.') : connection === 'connecting' ? 'Connecting…' : 'Connection lost; reconnecting…',
      run ? h('span', { class: 'running', id: 'apply-running' }, ` Apply run ${run.runId.slice(0, 8)} in progress: ${run.done} step(s) finished, ${run.open} running.`) : null,
    ),
    engine ? h('p', { class: 'muted engine' }, 'Last engine event: ', h('code', null, engine)) : null,
    h(DataTable<JournalEntry>, {
      id: 'journal',
      caption: `${entries.length} journal event(s), newest first`,
      rows: newestFirst,
      rowKey: (e) => e.key,
      empty: 'No events match these filters yet.',
      columns: [
        { label: 'Time', rowHeader: true, cell: (e) => h(When, { at: e.at }) },
        { label: 'Outcome', cell: (e) => h(Badge, { state: e.outcome }) },
        { label: 'Action', cell: (e) => e.action },
        { label: 'Address', cell: (e) => h('code', { class: 'address' }, e.address) },
        { label: 'Environment', cell: (e) => e.environment },
        { label: 'Venture', cell: (e) => e.venture ?? '—' },
        { label: 'Run', cell: (e) => h(Short, { text: e.runId, length: 8 }) },
        { label: 'Actor', cell: (e) => e.actor },
        { label: 'Message', cell: (e) => e.message ?? (e.durationMs !== undefined ? `${e.durationMs} ms` : '') },
      ],
    }),
  );
}
