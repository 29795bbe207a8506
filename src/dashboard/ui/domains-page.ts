/**
 * The domain wizard: enter a domain, see the records that point it at Vercel, check what DNS
 * answers now (the same check as `shipyard domains check`), and open the pull request that adds it.
 */
import { h, type ComponentChild } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { DomainCheckResponse, DomainEdit, DomainHealth, DomainRecordsResponse, PullRequestResult, VentureSummary } from '../api-types.ts';
import { getJson, postJson } from './api.ts';
import type { ControlEvent, SubmitLike } from './browser.ts';
import { Badge, ChangeOutcome, DataTable, DiffView, ErrorNote, Section } from './widgets.ts';

type RecordRow = DomainRecordsResponse['records'][number];

export function DomainsPage(): ComponentChild {
  const [ventures, setVentures] = useState<VentureSummary[]>([]);
  const [venture, setVenture] = useState('');
  const [domain, setDomain] = useState('');
  const [redirect, setRedirect] = useState<DomainEdit['redirect']>('www-to-apex');
  const [dnsMode, setDnsMode] = useState<DomainEdit['dnsMode']>('external');
  const [records, setRecords] = useState<DomainRecordsResponse | undefined>(undefined);
  const [check, setCheck] = useState<DomainCheckResponse | undefined>(undefined);
  const [pull, setPull] = useState<PullRequestResult | undefined>(undefined);
  const [busy, setBusy] = useState<'records' | 'check' | 'pull' | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);

  useEffect(() => {
    getJson<VentureSummary[]>('/api/ventures').then((list) => {
      const withVercel = list.filter((v) => v.hasVercel);
      setVentures(withVercel);
      setVenture(withVercel[0]?.name ?? '');
    }, (e: Error) => setError(e.message));
  }, []);

  const payload = () => ({ venture, domain: domain.trim(), redirect, dnsMode });
  const run = async <T>(which: 'records' | 'check' | 'pull', call: () => Promise<T>, store: (value: T) => void) => {
    setBusy(which);
    setError(undefined);
    try {
      store(await call());
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(undefined);
    }
  };
  const showRecords = () => run('records', () => postJson<DomainRecordsResponse>('/api/domains/records', payload()), (r) => {
    setRecords(r);
    setCheck(undefined);
    setPull(undefined);
  });
  const checkDns = () => run('check', () => postJson<DomainCheckResponse>('/api/domains/check', payload()), setCheck);
  const openPull = () => run('pull', () => postJson<PullRequestResult>(`/api/ventures/${encodeURIComponent(venture)}/domains/pull-request`, payload()), setPull);
  const reset = () => {
    setRecords(undefined);
    setCheck(undefined);
    setPull(undefined);
  };

  return h('div', null,
    h('div', { class: 'page-head' }, h('h1', { id: 'page-title', tabIndex: -1 }, 'Add a domain')),
    h('p', { class: 'lede' }, 'Enter a domain to see the records that point it at Vercel, check what DNS answers now, then open the pull request that adds it to the venture. Vercel changes only when that pull request is merged.'),
    h(ErrorNote, { error }),
    h('form', {
      class: 'form panel',
      onSubmit: (e: SubmitLike) => {
        e.preventDefault();
        void showRecords();
      },
    },
    h('h2', { id: 'domain-form-title' }, '1. The domain'),
    h('div', { class: 'grid' },
      h('div', { class: 'field' },
        h('label', { for: 'domain-venture' }, 'Venture'),
        h('select', { id: 'domain-venture', value: venture, onChange: (e: ControlEvent) => {
          setVenture(e.currentTarget.value);
          reset();
        } }, ventures.map((v) => h('option', { key: v.name, value: v.name }, v.name))),
      ),
      h('div', { class: 'field' },
        h('label', { for: 'domain-name' }, 'Domain (apex)'),
        h('input', { id: 'domain-name', name: 'domain', required: true, autoComplete: 'off', spellcheck: false, inputMode: 'url', placeholder: 'example.com', value: domain, 'aria-describedby': 'domain-hint', onInput: (e: ControlEvent) => {
          setDomain(e.currentTarget.value);
          reset();
        } }),
        h('span', { id: 'domain-hint', class: 'hint' }, 'Without www: the www name is added with it.'),
      ),
      h('div', { class: 'field' },
        h('label', { for: 'domain-redirect' }, 'Redirect'),
        h('select', { id: 'domain-redirect', value: redirect, onChange: (e: ControlEvent) => setRedirect(e.currentTarget.value as DomainEdit['redirect']) },
          h('option', { value: 'www-to-apex' }, 'www → apex'),
          h('option', { value: 'apex-to-www' }, 'apex → www'),
          h('option', { value: 'none' }, 'none (serve both)')),
      ),
    ),
    h('fieldset', null,
      h('legend', null, 'Who serves DNS'),
      h('label', { class: 'check' }, h('input', { type: 'radio', name: 'dns-mode', value: 'external', checked: dnsMode === 'external', onChange: () => setDnsMode('external') }), ' Another DNS host (you create the records)'),
      h('label', { class: 'check' }, h('input', { type: 'radio', name: 'dns-mode', value: 'vercel', checked: dnsMode === 'vercel', onChange: () => setDnsMode('vercel') }), ' Vercel (point the nameservers at Vercel)'),
    ),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', disabled: busy !== undefined }, busy === 'records' ? 'Working…' : 'Show records')),
    ),
    records ? h(Section, { id: 'records-title', title: '2. Records to create' },
      records.ok ? h(RecordsTable, { rows: records.records }) : h('p', { class: 'error', role: 'alert' }, records.error),
      records.nameservers.length > 0 ? h('p', null, 'Vercel serves these records once the domain\u2019s nameservers are ', records.nameservers.map((n, i) => h('span', { key: n }, i > 0 ? ' and ' : '', h('code', null, n))), '.') : null,
      records.preview?.diff ? h(DiffView, { diff: records.preview.diff, label: `Change to ${records.preview.file}` }) : null,
      records.preview && !records.preview.ok ? h(ChangeOutcome, { result: records.preview, busy: false }) : null,
    ) : null,
    records?.ok ? h(Section, {
      id: 'check-title', title: '3. Check DNS',
      actions: h('button', { type: 'button', class: 'secondary', disabled: busy !== undefined, onClick: () => void checkDns() }, busy === 'check' ? 'Checking…' : 'Check DNS'),
    },
    h('div', { role: 'status', 'aria-live': 'polite' },
      check ? (check.ok ? h(CheckTable, { rows: check.domains, resolver: check.resolver }) : h('p', { class: 'error' }, check.error)) : h('p', { class: 'muted' }, 'Not checked yet.'),
    ),
    ) : null,
    records?.ok && records.preview?.ok ? h(Section, {
      id: 'pull-title', title: '4. Open the pull request',
    },
    h('p', null, 'The pull request adds the domain to the venture file; its plan shows the Vercel domains that apply would create.'),
    h('div', { class: 'buttons' }, h('button', { type: 'button', disabled: busy !== undefined, onClick: () => void openPull() }, busy === 'pull' ? 'Opening…' : 'Open pull request')),
    h(ChangeOutcome, { result: pull, busy: busy === 'pull' }),
    ) : null,
  );
}

function RecordsTable(props: { rows: RecordRow[] }): ComponentChild {
  return h(DataTable<RecordRow>, {
    id: 'records',
    caption: 'DNS records that point the domain at Vercel',
    rows: props.rows,
    rowKey: (r) => `${r.type} ${r.name}`,
    empty: 'No records.',
    columns: [
      { label: 'Name', rowHeader: true, cell: (r) => h('code', null, r.name) },
      { label: 'Type', cell: (r) => r.type },
      { label: 'Value', cell: (r) => h('code', null, r.value) },
      { label: 'Why', cell: (r) => r.purpose },
    ],
  });
}

function CheckTable(props: { rows: DomainHealth[]; resolver: string }): ComponentChild {
  return h('div', null,
    h(DataTable<DomainHealth>, {
      id: 'dns-check',
      caption: `What DNS answers now (asked ${props.resolver})`,
      rows: props.rows,
      rowKey: (r) => r.domain,
      empty: 'Nothing to check.',
      columns: [
        { label: 'Name', rowHeader: true, cell: (r) => h('code', null, r.domain) },
        { label: 'Status', cell: (r) => h(Badge, { state: r.status }) },
        { label: 'What to do', cell: (r) => h('span', null, r.message,
          r.create.length > 0 ? h('ul', { class: 'plain' }, r.create.map((c) => h('li', { key: `${c.type}${c.name}${c.value}` }, 'create ', h('code', null, `${c.type} ${c.name} ${c.value}`)))) : null,
          r.remove.length > 0 ? h('ul', { class: 'plain' }, r.remove.map((c) => h('li', { key: `${c.type}${c.name}${c.value}` }, 'remove ', h('code', null, `${c.type} ${c.name} ${c.value}`)))) : null) },
      ],
    }),
  );
}
