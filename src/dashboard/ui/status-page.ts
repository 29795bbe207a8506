/** Status: provider connections, then per environment and venture the last apply, drift, rotation and domains. */
import { h, type ComponentChild } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { DomainHealth, DomainsResponse, DriftResponse, DriftScope, EnvironmentOverview, LastApply, OverviewResponse, ProviderHealth, StatusResponse, VentureOverview } from '../api-types.ts';
import { getJson } from './api.ts';
import { Badge, DataTable, ErrorNote, Section, Short, When } from './widgets.ts';

type Load<T> = { data?: T; error?: string; loading: boolean };

function useLoad<T>(path: string): [Load<T>, (suffix?: string) => void] {
  const [state, setState] = useState<Load<T>>({ loading: true });
  const load = useCallback((suffix = '') => {
    setState((s) => ({ ...s, loading: true }));
    getJson<T>(`${path}${suffix}`).then(
      (data) => setState({ data, loading: false }),
      (error: Error) => setState((s) => ({ ...s, error: error.message, loading: false })),
    );
  }, [path]);
  useEffect(() => load(), [load]);
  return [state, load];
}

const PROVIDER_LABELS: Record<string, string> = { kubernetes: 'Kubernetes', vercel: 'Vercel', supabase: 'Supabase', github: 'GitHub' };

export function StatusPage(): ComponentChild {
  const [status, reloadStatus] = useLoad<StatusResponse>('/api/status');
  const [overview, reloadOverview] = useLoad<OverviewResponse>('/api/overview');
  const [drift, reloadDrift] = useLoad<DriftResponse>('/api/drift');
  const [domains, reloadDomains] = useLoad<DomainsResponse>('/api/domains');

  // Connections change without anyone asking: check again every 30 s while the page is open.
  useEffect(() => {
    const timer = setInterval(() => reloadStatus(), 30_000);
    return () => clearInterval(timer);
  }, [reloadStatus]);

  const refreshAll = () => {
    reloadStatus();
    reloadOverview();
    reloadDrift('?refresh=1');
    reloadDomains();
  };

  return h('div', null,
    h('div', { class: 'page-head' },
      h('h1', { id: 'page-title', tabIndex: -1 }, 'Status'),
      h('button', { type: 'button', onClick: refreshAll, class: 'secondary' }, 'Check everything again'),
    ),
    h(Section, { id: 'providers-title', title: 'Providers', actions: h('button', { type: 'button', class: 'secondary', onClick: () => reloadStatus(), 'aria-describedby': 'providers-title' }, status.loading ? 'Checking…' : 'Check again') },
      h(ErrorNote, { error: status.error }),
      status.data ? h(ProvidersTable, { providers: status.data.providers }) : h('p', { role: 'status' }, 'Checking connections…'),
      status.data?.repository ? h('p', { class: 'muted' }, 'Pull requests go to ', h('code', null, status.data.repository), '.') : null,
    ),
    h(Section, { id: 'environments-title', title: 'Environments' },
      h(ErrorNote, { error: overview.error }),
      overview.data ? h(EnvironmentsTable, { environments: overview.data.environments, drift: drift.data, driftLoading: drift.loading }) : h('p', { role: 'status' }, 'Loading…'),
    ),
    h(Section, { id: 'ventures-title', title: 'Ventures' },
      overview.data ? h(VenturesTable, { ventures: overview.data.ventures, drift: drift.data, driftLoading: drift.loading, domains: domains.data?.domains, domainsLoading: domains.loading }) : null,
      h(ErrorNote, { error: drift.error ? `Drift could not be checked: ${drift.error}` : undefined }),
      drift.data && drift.data.problems.length > 0
        ? h('details', { class: 'problems' }, h('summary', null, `${drift.data.problems.length} problem(s) while checking drift`), h('ul', null, drift.data.problems.map((p, i) => h('li', { key: i }, p))))
        : null,
      h(ErrorNote, { error: domains.error ? `Domains could not be checked: ${domains.error}` : undefined }),
      domains.data ? h('p', { class: 'muted' }, `DNS answers from ${domains.data.resolver}.`) : null,
    ),
  );
}

function ProvidersTable(props: { providers: ProviderHealth[] }): ComponentChild {
  return h(DataTable<ProviderHealth>, {
    id: 'providers',
    caption: 'Connection to each provider',
    rows: props.providers,
    rowKey: (p) => p.name,
    empty: 'No providers.',
    columns: [
      { label: 'Provider', rowHeader: true, cell: (p) => PROVIDER_LABELS[p.name] ?? p.name },
      { label: 'State', cell: (p) => h(Badge, { state: p.state }) },
      { label: 'Detail', cell: (p) => p.reason ?? (p.latencyMs !== undefined ? `answered in ${p.latencyMs} ms` : '') },
      { label: 'Checked', cell: (p) => h(When, { at: p.checkedAt }) },
    ],
  });
}

function LastApplyCell(props: { last: LastApply | undefined }): ComponentChild {
  if (!props.last) return h('span', { class: 'muted' }, 'never applied');
  const { last } = props;
  return h('span', { class: 'stack' }, h(Badge, { state: last.outcome }), ' ', h(When, { at: last.at }), last.failed > 0 ? h('span', null, ` (${last.failed} of ${last.steps} steps did not succeed)`) : null);
}

function DriftCell(props: { scope: DriftScope | undefined; loading: boolean }): ComponentChild {
  if (!props.scope) return h(Badge, { state: props.loading ? 'checking' : 'unknown', label: props.loading ? 'checking…' : 'unknown' });
  const { scope } = props;
  if (scope.state === 'drift') {
    return h('details', { class: 'inline' },
      h('summary', null, h(Badge, { state: 'drift', label: `drift: ${scope.changes.length} change(s)` })),
      h('ul', null, scope.changes.map((c) => h('li', { key: c.address }, `${c.action} `, h('code', null, c.address)))),
    );
  }
  return h('span', null, h(Badge, { state: scope.state, label: scope.state === 'clean' ? 'no drift' : 'unknown' }), scope.reason ? h('span', { class: 'muted' }, ` ${scope.reason}`) : null);
}

function EnvironmentsTable(props: { environments: EnvironmentOverview[]; drift: DriftResponse | undefined; driftLoading: boolean }): ComponentChild {
  return h(DataTable<EnvironmentOverview>, {
    id: 'environments',
    caption: 'Last apply, drift and secret rotation per environment',
    rows: props.environments,
    rowKey: (e) => e.name,
    empty: 'No environments are configured.',
    columns: [
      { label: 'Environment', rowHeader: true, cell: (e) => h('span', null, e.name, e.protected ? [' ', h('span', { class: 'tag' }, 'protected')] : null) },
      { label: 'Last apply', cell: (e) => h(LastApplyCell, { last: e.lastApply }) },
      { label: 'Commit', cell: (e) => h(Short, { text: e.lastApply?.revision, length: 8 }) },
      { label: 'Actor', cell: (e) => e.lastApply?.actor ?? '—' },
      { label: 'Drift', cell: (e) => h(DriftCell, { scope: props.drift?.environments.find((d) => d.name === e.name), loading: props.driftLoading }) },
      {
        label: 'Pending rotation',
        cell: (e) => {
          const pending = e.rotations.filter((r) => r.state !== 'ok');
          if (e.rotations.length === 0) return h('span', { class: 'muted' }, 'no rotation policy');
          if (pending.length === 0) return h(Badge, { state: 'ok', label: 'none due' });
          return h('ul', { class: 'plain' }, pending.map((r) => h('li', { key: r.secret }, h(Badge, { state: r.state }), ' ', h('code', null, r.secret), r.dueAt ? h('span', null, ' due ', h(When, { at: r.dueAt })) : null)));
        },
      },
      { label: 'Lock', cell: (e) => (e.lock ? h('span', null, `locked by ${e.lock.owner}`) : h('span', { class: 'muted' }, 'free')) },
    ],
  });
}

function DomainCell(props: { venture: VentureOverview; domains: DomainHealth[] | undefined; loading: boolean }): ComponentChild {
  if (props.venture.domains.length === 0) return h('span', { class: 'muted' }, 'no domains');
  if (!props.domains) return h(Badge, { state: 'checking', label: props.loading ? 'checking…' : 'unknown' });
  const mine = props.domains.filter((d) => d.venture === props.venture.name);
  return h('ul', { class: 'plain' }, mine.map((d) => h('li', { key: d.domain }, h(Badge, { state: d.status }), ' ', d.domain, d.status !== 'correct' ? h('span', { class: 'muted block' }, d.message) : null)));
}

function VenturesTable(props: { ventures: VentureOverview[]; drift: DriftResponse | undefined; driftLoading: boolean; domains: DomainHealth[] | undefined; domainsLoading: boolean }): ComponentChild {
  return h(DataTable<VentureOverview>, {
    id: 'ventures',
    caption: 'Last apply, drift and domain health per venture',
    rows: props.ventures,
    rowKey: (v) => v.name,
    empty: 'No ventures are configured.',
    columns: [
      { label: 'Venture', rowHeader: true, cell: (v) => v.name },
      { label: 'Environments', cell: (v) => v.environments.join(', ') },
      { label: 'Last apply', cell: (v) => h(LastApplyCell, { last: v.lastApply }) },
      { label: 'Commit', cell: (v) => h(Short, { text: v.lastApply?.revision, length: 8 }) },
      { label: 'Actor', cell: (v) => v.lastApply?.actor ?? '—' },
      { label: 'Drift', cell: (v) => h(DriftCell, { scope: props.drift?.ventures.find((d) => d.name === v.name), loading: props.driftLoading }) },
      { label: 'Domains', cell: (v) => h(DomainCell, { venture: v, domains: props.domains, loading: props.domainsLoading }) },
    ],
  });
}
