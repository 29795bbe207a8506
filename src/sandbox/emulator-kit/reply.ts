import type { HeaderMap } from './json-http.ts';

/** What a handler answers: serialised as JSON unless the status is 204/304 or body is undefined. */
export interface EmulatorReply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: HeaderMap;
}

/**
 * Thrown from deep inside state code (e.g. "project not found") so handlers need not
 * thread error replies through every return.
 */
export class ReplyError extends Error {
  readonly reply: EmulatorReply;
  constructor(reply: EmulatorReply, message?: string) {
    super(message ?? `emulator reply ${reply.status}`);
    this.name = 'ReplyError';
    this.reply = reply;
  }
}

export function json(status: number, body: unknown, headers?: HeaderMap): EmulatorReply {
  return headers ? { status, body, headers } : { status, body };
}
