import { ReplyError, type EmulatorReply } from '../emulator-kit/reply.ts';

// The Management API answers every error as {"message": "..."} (NOTES §2.3).

export const NO_PRIVILEGES =
  'Your account does not have the necessary privileges to access this endpoint. For more details, refer to our documentation https://supabase.com/docs/guides/platform/access-control';

export function messageReply(status: number, message: string): EmulatorReply {
  return { status, body: { message } };
}

export function fail(status: number, message: string): never {
  throw new ReplyError(messageReply(status, message));
}

export function badRequest(message: string): never {
  return fail(400, message);
}

export function notFound(message: string): never {
  return fail(404, message);
}

export function forbidden(message = NO_PRIVILEGES): never {
  return fail(403, message);
}
