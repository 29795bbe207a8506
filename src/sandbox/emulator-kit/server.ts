import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BearerAuth } from './bearer-auth.ts';
import { FaultInjector, type FaultSpec } from './faults.ts';
import { BodyTooLargeError, encodeJsonBody, JSON_CONTENT_TYPE, parseJson, readBody, writeJson, type HeaderMap } from './json-http.ts';
import { retryAfterSeconds, type FixedWindowRateLimiter, type RateLimitRenderer } from './rate-limit.ts';
import { ReplyError, type EmulatorReply } from './reply.ts';
import { RequestLog, type RequestOutcome } from './request-log.ts';
import { Router, type PathParams } from './router.ts';

export interface EmulatorRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly params: PathParams;
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON body, or undefined when the request had none. */
  readonly body: unknown;
  /** The bearer token that passed auth; undefined on public routes. */
  readonly token: string | undefined;
  /** The matched route template, e.g. `/v9/projects/{idOrName}`. */
  readonly route: string;
}

export type RouteHandler = (req: EmulatorRequest) => EmulatorReply | Promise<EmulatorReply>;

export interface RouteOptions {
  /** Skip bearer auth (and rate limiting by token) for this route. */
  readonly public?: boolean;
  /** Rate-limit bucket name; defaults to "METHOD template", i.e. one bucket per endpoint. */
  readonly rateLimitKey?: string;
}

/** API-specific error body for errors the kit itself produces (404 route, bad JSON, 5xx). */
export type ErrorBodyRenderer = (status: number, code: string, message: string) => unknown;

export interface EmulatorServerOptions {
  /** For error messages and logs. */
  readonly name: string;
  readonly errorBody: ErrorBodyRenderer;
  readonly auth?: BearerAuth;
  readonly rateLimit?: {
    readonly limiter: FixedWindowRateLimiter;
    readonly render: RateLimitRenderer;
    /** What a request counts against beside its token (a project, an organization); default: the token alone. */
    readonly scope?: (request: { readonly params: Readonly<Record<string, string>>; readonly raw: string }) => string | undefined;
  };
  readonly faultSeed?: number;
  readonly maxBodyBytes?: number;
}

/** One response the server produced, delivered or not; input for contract checks. */
export interface ResponseRecord {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly route: string | undefined;
  readonly status: number;
  readonly headers: HeaderMap;
  readonly body: unknown;
  /** False when a fault swallowed it (acceptThenTimeout). */
  readonly delivered: boolean;
  /** Set when a fault produced or swallowed this response. */
  readonly fault: FaultSpec['kind'] | undefined;
}

export type ResponseListener = (record: ResponseRecord) => void;

interface Routed {
  readonly reply: EmulatorReply;
  readonly route: string | undefined;
}

interface RouteEntry {
  readonly handler: RouteHandler;
  readonly options: RouteOptions;
}

export class EmulatorServer {
  readonly name: string;
  readonly faults: FaultInjector;
  readonly requests = new RequestLog();
  /** Added before every request is handled; for latency-sensitive benchmarks. */
  latencyMs = 0;

  readonly #router = new Router<RouteEntry>();
  readonly #options: EmulatorServerOptions;
  readonly #listeners = new Set<ResponseListener>();
  #server: Server | undefined;
  #url: string | undefined;

  constructor(options: EmulatorServerOptions) {
    this.name = options.name;
    this.#options = options;
    this.faults = new FaultInjector(options.faultSeed ?? 1);
  }

  route(method: string, template: string, handler: RouteHandler, options: RouteOptions = {}): this {
    this.#router.add(method, template, { handler, options });
    return this;
  }

  routes(): { method: string; template: string }[] {
    return this.#router.routes();
  }

  /** Returns an unsubscribe function. Listener errors are reported, never break the reply. */
  onResponse(listener: ResponseListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get url(): string {
    if (!this.#url) throw new Error(`${this.name} emulator is not started`);
    return this.#url;
  }

  async start(port = 0): Promise<{ url: string; port: number }> {
    if (this.#server) throw new Error(`${this.name} emulator is already started`);
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        // Last resort: never leave a request hanging because of an emulator bug.
        if (!res.headersSent && !res.destroyed) {
          const text = JSON.stringify(this.#options.errorBody(500, 'internal_server_error', String(err)));
          writeJson(res, 500, text, {});
        }
      });
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const actual = (server.address() as AddressInfo).port;
    this.#url = `http://127.0.0.1:${actual}`;
    return { url: this.#url, port: actual };
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    this.#url = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Hung requests (timeout faults) and idle keep-alive sockets would block close() forever.
    server.closeAllConnections();
    await closed;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAtMs = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const path = url.pathname;
    const query = url.search.startsWith('?') ? url.search.slice(1) : url.search;
    const log = (outcome: RequestOutcome, status: number | null, route: string | undefined, fault: FaultSpec | undefined, handledStatus: number | null = null) =>
      this.requests.append({ method, path, query, route, status, handledStatus, outcome, fault: fault?.kind, startedAtMs });

    const fault = this.faults.take(method, path);
    if (fault?.kind === 'delay') await sleep(fault.delayMs ?? 0);
    if (this.latencyMs > 0) await sleep(this.latencyMs);

    if (fault?.kind === 'reset') {
      log('reset', null, undefined, fault);
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'timeout') {
      log('timeout', null, undefined, fault);
      req.resume();
      return;
    }
    if (fault?.kind === 'status') {
      const status = fault.status ?? 500;
      const headers: HeaderMap = { ...(fault.headers ?? {}) };
      if (status === 429 && !hasHeader(headers, 'retry-after')) headers['retry-after'] = '1';
      const body = fault.body !== undefined ? fault.body : this.#options.errorBody(status, faultCode(status), 'Injected fault');
      req.resume();
      this.#send(res, { method, path, query, route: undefined, fault: fault.kind }, { status, body, headers });
      log('replied', status, undefined, fault);
      return;
    }

    const { reply, route } = await this.#dispatch(req, method, path, url.searchParams);

    if (fault?.kind === 'acceptThenTimeout') {
      const body = wireCopy(reply.status, reply.body);
      const headers: HeaderMap = { ...(reply.headers ?? {}), ...(body === undefined ? {} : { 'content-type': JSON_CONTENT_TYPE }) };
      this.#notify({ method, path, query, route, status: reply.status, headers, body, delivered: false, fault: fault.kind });
      if (fault.after === 'reset') {
        log('reset', null, route, fault, reply.status);
        req.socket.destroy();
      } else {
        log('timeout', null, route, fault, reply.status);
      }
      return;
    }

    this.#send(res, { method, path, query, route, fault: undefined }, reply);
    log('replied', reply.status, route, fault);
  }

  async #dispatch(req: IncomingMessage, method: string, path: string, query: URLSearchParams): Promise<Routed> {
    const errorBody = this.#options.errorBody;
    let raw: Buffer;
    try {
      raw = await readBody(req, this.#options.maxBodyBytes ?? 10 * 1024 * 1024);
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        return { reply: { status: 413, body: errorBody(413, 'payload_too_large', err.message) }, route: undefined };
      }
      throw err;
    }

    const found = this.#router.lookup(method, path);
    const auth = this.#options.auth;
    const isPublic = found.kind === 'found' && found.match.handler.options.public === true;
    let token: string | undefined;
    if (auth && !isPublic) {
      const checked = auth.check(req.headers.authorization);
      if (!checked.ok) {
        return { reply: auth.reject(checked.failure), route: found.kind === 'found' ? found.match.template : undefined };
      }
      token = checked.token;
    }

    if (found.kind === 'not-found') {
      return { reply: { status: 404, body: errorBody(404, 'not_found', `The requested path ${path} was not found`) }, route: undefined };
    }
    if (found.kind === 'method-not-allowed') {
      return {
        reply: { status: 405, body: errorBody(405, 'method_not_allowed', `${method} is not allowed here`), headers: { allow: found.allowed.join(', ') } },
        route: undefined,
      };
    }

    const { match } = found;
    const route = match.template;
    let limitHeaders: HeaderMap = {};
    const rl = this.#options.rateLimit;
    if (rl) {
      const scope = rl.scope?.({ params: match.params, raw: raw.toString('utf8') });
      const subject = `${token ?? 'anonymous'}${scope ? `\u0000${scope}` : ''}`;
      const state = rl.limiter.hit(subject, match.handler.options.rateLimitKey ?? `${method} ${route}`);
      limitHeaders = rl.render.headers(state);
      if (state.limited) {
        const headers = rl.render.retryAfter === false ? limitHeaders : { ...limitHeaders, 'retry-after': String(retryAfterSeconds(state)) };
        return { reply: { status: rl.render.status ?? 429, body: rl.render.body(state), headers }, route };
      }
    }

    const parsed = parseJson(raw);
    if (!parsed.ok) {
      return { reply: { status: 400, body: errorBody(400, 'bad_request', `Invalid JSON body: ${parsed.message}`), headers: limitHeaders }, route };
    }

    let reply: EmulatorReply;
    try {
      reply = await match.handler.handler({ method, path, query, params: match.params, headers: req.headers, body: parsed.value, token, route });
    } catch (err) {
      if (err instanceof ReplyError) {
        reply = err.reply;
      } else {
        const message = err instanceof Error ? err.message : String(err);
        reply = { status: 500, body: errorBody(500, 'internal_server_error', `${this.name} emulator error: ${message}`) };
      }
    }
    return { reply: { ...reply, headers: { ...limitHeaders, ...(reply.headers ?? {}) } }, route };
  }

  #send(
    res: ServerResponse,
    ctx: { method: string; path: string; query: string; route: string | undefined; fault: FaultSpec['kind'] | undefined },
    reply: EmulatorReply,
  ): void {
    const text = encodeJsonBody(reply.status, reply.body);
    const headers: HeaderMap = { ...(reply.headers ?? {}) };
    if (!res.destroyed) writeJson(res, reply.status, text, headers);
    if (text !== undefined) headers['content-type'] = JSON_CONTENT_TYPE;
    this.#notify({
      ...ctx,
      status: reply.status,
      headers,
      body: wireCopy(reply.status, reply.body),
      delivered: true,
    });
  }

  #notify(record: ResponseRecord): void {
    for (const listener of this.#listeners) {
      try {
        listener(record);
      } catch (err) {
        process.emitWarning(`${this.name} emulator: onResponse listener threw: ${String(err)}`);
      }
    }
  }
}

/** Listeners see what goes on the wire, not live state objects that may change later. */
function wireCopy(status: number, body: unknown): unknown {
  const text = encodeJsonBody(status, body);
  return text === undefined ? undefined : (JSON.parse(text) as unknown);
}

function hasHeader(headers: HeaderMap, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

function faultCode(status: number): string {
  if (status === 429) return 'rate_limited';
  if (status === 503) return 'service_unavailable';
  if (status === 502) return 'bad_gateway';
  if (status === 504) return 'gateway_timeout';
  if (status >= 500) return 'internal_server_error';
  return 'bad_request';
}
