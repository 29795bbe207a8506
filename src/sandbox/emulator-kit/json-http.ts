import type { IncomingMessage, ServerResponse } from 'node:http';

// Exactly what the real APIs send; SDKs match on the media type, tests on the whole value.
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export type HeaderMap = Record<string, string>;

export class BodyTooLargeError extends Error {
  readonly limitBytes: number;
  constructor(limitBytes: number) {
    super(`request body exceeds ${limitBytes} bytes`);
    this.name = 'BodyTooLargeError';
    this.limitBytes = limitBytes;
  }
}

export async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > limitBytes) throw new BodyTooLargeError(limitBytes);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export type JsonParseResult = { ok: true; value: unknown } | { ok: false; message: string };

/** An empty body parses to `undefined`: DELETEs and GETs usually carry none. */
export function parseJson(raw: Buffer): JsonParseResult {
  const text = raw.toString('utf8');
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}

/** Serialises the reply body the way it goes on the wire; 204/304 carry none. */
export function encodeJsonBody(status: number, body: unknown): string | undefined {
  if (status === 204 || status === 304 || body === undefined) return undefined;
  return JSON.stringify(body);
}

export function writeJson(res: ServerResponse, status: number, text: string | undefined, headers: HeaderMap): void {
  const out: HeaderMap = { ...headers };
  if (text !== undefined) {
    out['content-type'] = JSON_CONTENT_TYPE;
    out['content-length'] = String(Buffer.byteLength(text));
  }
  res.writeHead(status, out);
  res.end(text);
}
