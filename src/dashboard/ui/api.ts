/** Calls to the dashboard's /api, typed with the shapes the server answers with. */

export class ApiError extends Error {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, message: string, body: unknown) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

export async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { Accept: 'application/json' } });
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw new ApiError(response.status, errorText(body) ?? `${path} answered ${response.status}`, body);
  return body as T;
}

/** POSTs JSON; answers that describe a refusal (4xx with a body) are returned, not thrown, so forms can show them. */
export async function postJson<T>(path: string, payload: unknown): Promise<T> {
  const response = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(payload) });
  const body: unknown = await response.json().catch(() => undefined);
  if (response.status >= 500 || body === undefined) throw new ApiError(response.status, errorText(body) ?? `${path} answered ${response.status}`, body);
  return body as T;
}

function errorText(body: unknown): string | undefined {
  return typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string' ? (body as { error: string }).error : undefined;
}

export function query(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  const text = search.toString();
  return text ? `?${text}` : '';
}
