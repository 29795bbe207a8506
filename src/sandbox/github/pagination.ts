import type { HeaderMap } from '../emulator-kit/json-http.ts';
import type { EmulatorRequest } from '../emulator-kit/server.ts';

// GitHub pagination: `per_page` (default 30, silently capped at 100) and `page` (1-based),
// with a `link` header (rel prev/next/last/first) that clients follow; Octokit's paginate()
// reads only `rel="next"`.

export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 100;

export interface PageOf<T> {
  readonly items: T[];
  readonly headers: HeaderMap;
}

function positiveInt(raw: string | null): number | undefined {
  if (raw === null || !/^\d+$/.test(raw.trim())) return undefined;
  const n = Number(raw);
  return n >= 1 ? n : undefined;
}

export function pageParams(q: URLSearchParams): { perPage: number; page: number } {
  return { perPage: Math.min(positiveInt(q.get('per_page')) ?? DEFAULT_PER_PAGE, MAX_PER_PAGE), page: positiveInt(q.get('page')) ?? 1 };
}

export function paginate<T>(req: EmulatorRequest, apiUrl: string, all: readonly T[]): PageOf<T> {
  const { perPage, page } = pageParams(req.query);
  const items = all.slice((page - 1) * perPage, page * perPage);
  const last = Math.max(1, Math.ceil(all.length / perPage));
  const href = (n: number) => {
    const q = new URLSearchParams(req.query);
    q.set('page', String(n));
    return `<${apiUrl}${req.path}?${q.toString()}>`;
  };
  const rels: string[] = [];
  if (page > 1) rels.push(`${href(Math.min(page - 1, last))}; rel="prev"`);
  if (page < last) rels.push(`${href(page + 1)}; rel="next"`, `${href(last)}; rel="last"`);
  if (page > 1) rels.push(`${href(1)}; rel="first"`);
  return { items, headers: rels.length > 0 ? { link: rels.join(', ') } : {} };
}
