import type { HeaderMap } from '../emulator-kit/json-http.ts';
import { ReplyError, type EmulatorReply } from '../emulator-kit/reply.ts';

// GitHub's error shapes (components basic-error and validation-error): `message`,
// `documentation_url`, and, since 2024, `status` as a string. Validation errors add `errors[]`.

export const DOCS_ROOT = 'https://docs.github.com/rest';

export interface FieldError {
  readonly resource?: string;
  readonly field?: string;
  readonly code: string;
  readonly message?: string;
  readonly value?: string | number | null;
}

export function errorBody(status: number, message: string, extra: Record<string, unknown> = {}, docs: string = DOCS_ROOT): Record<string, unknown> {
  return { message, documentation_url: docs, status: String(status), ...extra };
}

export function errorReply(status: number, message: string, extra: Record<string, unknown> = {}, headers?: HeaderMap): EmulatorReply {
  const body = errorBody(status, message, extra);
  return headers ? { status, body, headers } : { status, body };
}

export function fail(status: number, message: string, extra: Record<string, unknown> = {}, headers?: HeaderMap): never {
  throw new ReplyError(errorReply(status, message, extra, headers));
}

/** GitHub says "Not Found" both for what does not exist and for what the caller may not see. */
export function notFound(message = 'Not Found'): never {
  return fail(404, message);
}

/** Schema-level rejection, worded as GitHub's request validator words it. */
export function invalidRequest(detail: string): never {
  return fail(422, `Invalid request.\n\n${detail}`);
}

export function validationFailed(...errors: FieldError[]): never {
  return fail(422, 'Validation Failed', { errors });
}

/** Points an error at the operation's documentation, as GitHub does, unless it already names one. */
export function withDocs(reply: EmulatorReply, docs: string): EmulatorReply {
  const body = reply.body as Record<string, unknown> | undefined;
  if (reply.status < 400 || typeof body !== 'object' || body === null || body['documentation_url'] !== DOCS_ROOT) return reply;
  return { ...reply, body: { ...body, documentation_url: docs } };
}
