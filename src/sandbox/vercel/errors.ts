import { ReplyError, type EmulatorReply } from '../emulator-kit/reply.ts';

// Vercel's error envelope (vercel.com/docs/rest-api/errors): {"error":{"code","message",...}}.

export function vercelErrorBody(code: string, message: string, extra: Record<string, unknown> = {}): unknown {
  return { error: { code, message, ...extra } };
}

export function vercelError(status: number, code: string, message: string, extra: Record<string, unknown> = {}): EmulatorReply {
  return { status, body: vercelErrorBody(code, message, extra) };
}

export function fail(status: number, code: string, message: string, extra: Record<string, unknown> = {}): never {
  throw new ReplyError(vercelError(status, code, message, extra));
}

export function badRequest(message: string, extra: Record<string, unknown> = {}): never {
  return fail(400, 'bad_request', message, extra);
}

export function notFound(message: string): never {
  return fail(404, 'not_found', message);
}

export function forbidden(message = 'Not authorized', extra: Record<string, unknown> = {}): never {
  return fail(403, 'forbidden', message, extra);
}
