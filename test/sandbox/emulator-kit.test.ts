import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BearerAuth } from '../../src/sandbox/emulator-kit/bearer-auth.ts';
import { FaultInjector } from '../../src/sandbox/emulator-kit/faults.ts';
import { JSON_CONTENT_TYPE } from '../../src/sandbox/emulator-kit/json-http.ts';
import { convertSchema, OpenApiValidator, pointerToJsonPath, type OpenApiDocument } from '../../src/sandbox/emulator-kit/openapi-validator.ts';
import { FixedWindowRateLimiter, retryAfterSeconds } from '../../src/sandbox/emulator-kit/rate-limit.ts';
import { ReplyError } from '../../src/sandbox/emulator-kit/reply.ts';
import { Router } from '../../src/sandbox/emulator-kit/router.ts';
import { EmulatorServer, type ResponseRecord } from '../../src/sandbox/emulator-kit/server.ts';

describe('Router', () => {
  it('extracts decoded params and prefers the most literal template', () => {
    const r = new Router<string>().add('GET', '/v1/domains/{domain}/{x}', 'generic').add('GET', '/v1/domains/records/{id}', 'records');
    const hit = r.lookup('get', '/v1/domains/records/rec%2F1');
    expect(hit).toMatchObject({ kind: 'found', match: { handler: 'records', params: { id: 'rec/1' }, template: '/v1/domains/records/{id}' } });
    expect(r.lookup('GET', '/v1/domains/example.com/abc')).toMatchObject({ kind: 'found', match: { handler: 'generic', params: { domain: 'example.com', x: 'abc' } } });
  });

  it('tells method-not-allowed from not-found and refuses duplicate routes', () => {
    const r = new Router<number>().add('GET', '/a/{id}', 1).add('DELETE', '/a/{id}', 2);
    expect(r.lookup('PUT', '/a/1')).toEqual({ kind: 'method-not-allowed', allowed: ['DELETE', 'GET'] });
    expect(r.lookup('GET', '/a/1/b')).toEqual({ kind: 'not-found' });
    expect(() => r.add('get', '/a/{id}', 3)).toThrow(/already defined/);
  });
});

describe('FixedWindowRateLimiter', () => {
  it('counts per subject and endpoint, refuses past the limit, and reopens after the window', () => {
    let now = 1_000_000;
    const rl = new FixedWindowRateLimiter({ limit: 2, windowMs: 10_000, now: () => now, policyFor: (e) => (e === 'strict' ? { limit: 1, windowMs: 5_000 } : undefined) });
    expect(rl.hit('t1', 'a')).toMatchObject({ limited: false, remaining: 1, used: 1, resetAtMs: 1_010_000 });
    expect(rl.hit('t1', 'a')).toMatchObject({ limited: false, remaining: 0 });
    const refused = rl.hit('t1', 'a');
    expect(refused).toMatchObject({ limited: true, remaining: 0, used: 2 });
    expect(rl.hit('t2', 'a').limited).toBe(false); // other token
    expect(rl.hit('t1', 'b').limited).toBe(false); // other endpoint
    expect(rl.hit('t1', 'strict').limit).toBe(1);
    expect(rl.hit('t1', 'strict').limited).toBe(true);
    now += 2_500;
    expect(retryAfterSeconds(rl.hit('t1', 'a'))).toBe(8); // 7.5 s rounded up
    now += 7_500;
    expect(rl.hit('t1', 'a')).toMatchObject({ limited: false, remaining: 1, resetAtMs: now + 10_000 });
  });
});

describe('FaultInjector', () => {
  it('matches method and path (exact, template, regex) and retires after `times`', () => {
    const f = new FaultInjector();
    const once = f.inject({ kind: 'status', status: 503, times: 1, match: { method: 'GET', path: '/v9/projects/{idOrName}' } });
    f.inject({ kind: 'reset', match: { path: /^\/v2\// } });
    expect(f.take('POST', '/v9/projects/p1')).toBeUndefined();
    expect(f.take('GET', '/v9/projects/p1')?.status).toBe(503);
    expect(once.fired).toBe(1);
    expect(f.take('GET', '/v9/projects/p1')).toBeUndefined();
    expect(f.take('DELETE', '/v2/domains/x/records/y')?.kind).toBe('reset');
    expect(f.active().map((a) => a.spec.kind)).toEqual(['reset']);
    f.clear();
    expect(f.take('DELETE', '/v2/domains/x/records/y')).toBeUndefined();
  });

  it('fires probabilistic faults identically for the same seed', () => {
    const pattern = (seed: number) => {
      const f = new FaultInjector(seed);
      f.inject({ kind: 'status', status: 500, probability: 0.3 });
      return Array.from({ length: 200 }, () => (f.take('GET', '/x') ? 1 : 0)).join('');
    };
    const a = pattern(42);
    expect(pattern(42)).toBe(a);
    expect(pattern(43)).not.toBe(a);
    const hits = [...a].filter((c) => c === '1').length;
    expect(hits).toBeGreaterThan(35);
    expect(hits).toBeLessThan(85);
  });

  it('rejects nonsense specs', () => {
    const f = new FaultInjector();
    expect(() => f.inject({ kind: 'status' })).toThrow(/status/);
    expect(() => f.inject({ kind: 'reset', probability: 2 })).toThrow(/probability/);
    expect(() => f.inject({ kind: 'reset', times: 0 })).toThrow(/times/);
  });
});

describe('EmulatorServer', () => {
  let server: EmulatorServer;
  let url: string;
  let now: number;
  let records: ResponseRecord[];
  const sideEffects: string[] = [];

  beforeEach(async () => {
    now = 1_700_000_000_000;
    records = [];
    sideEffects.length = 0;
    server = new EmulatorServer({
      name: 'test',
      errorBody: (status, code, message) => ({ failure: { status, code, message } }),
      auth: new BearerAuth({ tokens: ['good'], reject: (failure) => ({ status: 401, body: { failure } }) }),
      rateLimit: {
        limiter: new FixedWindowRateLimiter({ limit: 2, windowMs: 60_000, now: () => now }),
        render: { headers: (s) => ({ 'x-left': String(s.remaining) }), body: (s) => ({ limited: s.endpoint }) },
      },
    });
    server
      .route('GET', '/items/{id}', (req) => ({ status: 200, body: { id: req.params['id'], q: req.query.get('q'), token: req.token } }))
      .route('POST', '/items', (req) => {
        sideEffects.push(JSON.stringify(req.body));
        return { status: 201, body: { created: req.body } };
      })
      .route('DELETE', '/items/{id}', () => ({ status: 204 }))
      .route('GET', '/boom', () => {
        throw new Error('kaput');
      })
      .route('GET', '/teapot', () => {
        throw new ReplyError({ status: 418, body: { tea: true } });
      })
      .route('GET', '/health', () => ({ status: 200, body: { ok: true } }), { public: true });
    server.onResponse((r) => records.push(r));
    ({ url } = await server.start());
  });

  afterEach(async () => {
    await server.stop();
  });

  const get = (path: string, token: string | null = 'good', init: RequestInit = {}) =>
    fetch(url + path, { ...init, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers ?? {}) } });

  it('listens on 127.0.0.1 with an ephemeral port and answers JSON with the exact content type', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await get('/items/a%20b?q=1');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(JSON_CONTENT_TYPE);
    expect(await res.json()).toEqual({ id: 'a b', q: '1', token: 'good' });
    const del = await get('/items/1', 'good', { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect(del.headers.get('content-type')).toBeNull();
    expect(await del.text()).toBe('');
  });

  it('parses JSON bodies and rejects malformed ones with the API error body', async () => {
    const ok = await get('/items', 'good', { method: 'POST', body: JSON.stringify({ a: 1 }), headers: { 'content-type': 'application/json' } });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toEqual({ created: { a: 1 } });
    const bad = await get('/items', 'good', { method: 'POST', body: '{nope' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ failure: { code: 'bad_request' } });
  });

  it('renders unknown routes, wrong methods, thrown ReplyErrors and crashes', async () => {
    expect((await get('/nope')).status).toBe(404);
    const put = await get('/items/1', 'good', { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('DELETE, GET');
    const tea = await get('/teapot');
    expect([tea.status, await tea.json()]).toEqual([418, { tea: true }]);
    const boom = await get('/boom');
    expect(boom.status).toBe(500);
    expect(JSON.stringify(await boom.json())).toContain('kaput');
  });

  it('checks the bearer token through the API callback and skips public routes', async () => {
    expect([(await get('/items/1', null)).status, records.at(-1)?.body]).toEqual([401, { failure: 'missing' }]);
    expect([(await get('/items/1', 'bad')).status, records.at(-1)?.body]).toEqual([401, { failure: 'invalid' }]);
    expect((await get('/health', null)).status).toBe(200);
  });

  it('rate-limits per token and endpoint with rendered headers, Retry-After and body', async () => {
    expect((await get('/items/1')).headers.get('x-left')).toBe('1');
    expect((await get('/items/2')).headers.get('x-left')).toBe('0');
    const limited = await get('/items/3');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(await limited.json()).toEqual({ limited: 'GET /items/{id}' });
    expect((await get('/items', 'good', { method: 'POST', body: '{}' })).status).toBe(201);
    now += 60_000;
    expect((await get('/items/4')).status).toBe(200);
  });

  it('injects status faults before auth, resets and hangs', async () => {
    server.faults.inject({ kind: 'status', status: 503, times: 1, match: { path: '/items/{id}' } });
    const injected = await get('/items/1', null);
    expect(injected.status).toBe(503);
    expect(await injected.json()).toMatchObject({ failure: { status: 503 } });
    expect((await get('/items/1')).status).toBe(200);

    server.faults.inject({ kind: 'reset', times: 1 });
    await expect(get('/items/1')).rejects.toThrow();

    server.faults.inject({ kind: 'timeout', times: 1 });
    await expect(get('/items/1', 'good', { signal: AbortSignal.timeout(200) })).rejects.toThrow(/aborted|timeout/i);

    expect(server.requests.all().map((e) => [e.outcome, e.status])).toEqual([
      ['replied', 503],
      ['replied', 200],
      ['reset', null],
      ['timeout', null],
    ]);
  });

  it('acceptThenTimeout runs the handler but never delivers its answer', async () => {
    server.faults.inject({ kind: 'acceptThenTimeout', after: 'reset', times: 1, match: { method: 'POST' } });
    await expect(get('/items', 'good', { method: 'POST', body: '{"n":1}' })).rejects.toThrow();
    expect(sideEffects).toEqual(['{"n":1}']);
    const entry = server.requests.filter({ method: 'POST' })[0];
    expect(entry).toMatchObject({ outcome: 'reset', status: null, handledStatus: 201, fault: 'acceptThenTimeout', route: '/items' });
    expect(records.at(-1)).toMatchObject({ status: 201, delivered: false, body: { created: { n: 1 } } });

    server.faults.inject({ kind: 'acceptThenTimeout', times: 1 });
    await expect(get('/items', 'good', { method: 'POST', body: '{"n":2}', signal: AbortSignal.timeout(200) })).rejects.toThrow();
    expect(sideEffects).toHaveLength(2);
  });

  it('stop() returns even with hung requests, and the log counts calls', async () => {
    server.faults.inject({ kind: 'timeout' });
    const pending = get('/items/1').catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    await server.stop();
    expect(await pending).toBeInstanceOf(Error);
    expect(server.requests.count({ route: undefined, outcome: 'timeout' })).toBe(1);
    ({ url } = await server.start());
  });

  it('adds latency when asked', async () => {
    server.latencyMs = 120;
    const t0 = performance.now();
    await get('/items/1');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(100);
  });
});

describe('EmulatorServer rate-limit refusal styles', () => {
  it('lets an API refuse with another status and without Retry-After (GitHub primary limit style)', async () => {
    const server = new EmulatorServer({
      name: 'gh',
      errorBody: (_s, code, message) => ({ message: `${code}: ${message}` }),
      rateLimit: {
        limiter: new FixedWindowRateLimiter({ limit: 1, windowMs: 60_000 }),
        render: {
          status: 403,
          retryAfter: false,
          headers: (s) => ({ 'x-ratelimit-used': String(s.used), 'x-ratelimit-resource': s.endpoint }),
          body: () => ({ message: 'API rate limit exceeded' }),
        },
      },
    }).route('GET', '/repos/{o}/{r}', () => ({ status: 200, body: {} }), { public: true, rateLimitKey: 'core' });
    const { url } = await server.start();
    try {
      expect((await fetch(`${url}/repos/a/b`)).headers.get('x-ratelimit-resource')).toBe('core');
      const refused = await fetch(`${url}/repos/a/c`);
      expect(refused.status).toBe(403);
      expect(refused.headers.get('retry-after')).toBeNull();
      expect(refused.headers.get('x-ratelimit-used')).toBe('1');
      expect(await refused.json()).toEqual({ message: 'API rate limit exceeded' });
    } finally {
      await server.stop();
    }
  });
});

describe('OpenApiValidator', () => {
  const doc: OpenApiDocument = {
    openapi: '3.0.3',
    paths: {
      '/v1/things/{id}': {
        get: {
          operationId: 'getThing',
          responses: {
            '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
            '404': { description: 'not found' },
          },
        },
        delete: { operationId: 'deleteThing', responses: { '204': { description: 'gone' } } },
      },
      '/v1/things/special': { get: { operationId: 'getSpecial', responses: { '2XX': { $ref: '#/components/responses/Plain' } } } },
      '/v1/union': {
        get: {
          operationId: 'getUnion',
          responses: {
            default: {
              content: {
                'application/json': {
                  schema: {
                    oneOf: [
                      { type: 'object', required: ['a'], properties: { a: { type: 'string' } } },
                      { type: 'object', required: ['a', 'b'], properties: { a: { type: 'string' }, b: { type: 'number' } } },
                    ],
                  },
                },
              },
            },
          },
        },
      },
    },
    components: {
      responses: { Plain: { content: { 'application/json': { schema: { type: 'object', required: ['ok'], properties: { ok: { type: 'boolean' } } } } } } },
      schemas: {
        Thing: {
          type: 'object',
          required: ['id', 'owner', 'tags'],
          properties: {
            id: { type: 'string', example: 'x' },
            owner: { type: 'string', nullable: true },
            kind: { type: 'string', enum: ['a', 'b'], nullable: true },
            size: { type: 'integer', format: 'int64', minimum: 0, exclusiveMinimum: true },
            tags: { type: 'array', items: { $ref: '#/components/schemas/Tag' } },
            'x-weird': { type: 'string' },
          },
          'x-internal': true,
        },
        Tag: { type: 'object', required: ['name'], properties: { name: { type: 'string' } }, discriminator: { propertyName: 'name' } },
      },
    },
  };

  it('finds operations by concrete path, literal templates first', () => {
    const v = new OpenApiValidator(doc);
    expect(v.findOperation('GET', '/v1/things/special')?.operationId).toBe('getSpecial');
    expect(v.findOperation('get', '/v1/things/t1')).toMatchObject({ operationId: 'getThing', params: { id: 't1' } });
    expect(v.findOperation('POST', '/v1/things/t1')).toBeUndefined();
  });

  it('accepts nullable fields and rejects violations with JSON paths', () => {
    const v = new OpenApiValidator(doc);
    expect(v.validateResponse('GET', '/v1/things/t1', 200, { id: 't1', owner: null, kind: null, tags: [], 'x-weird': 'y' }).kind).toBe('valid');
    const bad = v.validateResponse('GET', '/v1/things/t1', 200, { id: 1, owner: 'me', kind: 'c', size: 0, tags: [{}] });
    expect(bad.kind).toBe('invalid');
    if (bad.kind !== 'invalid') return;
    const byPath = Object.fromEntries(bad.violations.map((x) => [x.path, x.keyword]));
    expect(byPath).toMatchObject({ '$.id': 'type', '$.kind': 'enum', '$.size': 'exclusiveMinimum', '$.tags[0].name': 'required' });
    expect(v.validateResponse('GET', '/v1/things/t1', 200, { id: 'x', tags: [] })).toMatchObject({
      kind: 'invalid',
      violations: [{ path: '$.owner', keyword: 'required' }],
    });
  });

  it('classifies statuses: documented without schema, ranges via $ref, undocumented, no operation', () => {
    const v = new OpenApiValidator(doc);
    expect(v.validateResponse('DELETE', '/v1/things/t1', 204, undefined)).toMatchObject({ kind: 'no-schema', documentedStatus: '204' });
    expect(v.validateResponse('GET', '/v1/things/t1', 404, { error: 1 })).toMatchObject({ kind: 'no-schema' });
    expect(v.validateResponse('GET', '/v1/things/t1', 500, {})).toMatchObject({ kind: 'undocumented-status', status: 500 });
    expect(v.validateResponse('GET', '/v1/things/special', 201, { ok: 'yes' })).toMatchObject({ kind: 'invalid', documentedStatus: '2XX' });
    expect(v.validateResponse('GET', '/v1/other', 200, {}).kind).toBe('no-operation');
    expect(v.validateResponse('GET', '/v1/things/t1', 200, undefined)).toMatchObject({ kind: 'invalid', violations: [{ keyword: 'body' }] });
  });

  it('treats overlapping oneOf branches as anyOf unless strict', () => {
    expect(new OpenApiValidator(doc).validateResponse('GET', '/v1/union', 200, { a: 'x', b: 1 }).kind).toBe('valid');
    expect(new OpenApiValidator(doc, { oneOf: 'strict' }).validateResponse('GET', '/v1/union', 200, { a: 'x', b: 1 }).kind).toBe('invalid');
  });

  it('maps served paths to documented ones through aliases', () => {
    const v = new OpenApiValidator(doc, { aliases: { 'GET /v2/things/{id}': 'GET /v1/things/{id}' } });
    expect(v.findOperation('GET', '/v2/things/t9')).toMatchObject({ operationId: 'getThing', aliasOf: 'GET /v2/things/{id}', params: { id: 't9' } });
    expect(v.validateResponse('GET', '/v2/things/t9', 200, { id: 't9', owner: null, tags: [] }).kind).toBe('valid');
    expect(() => new OpenApiValidator(doc, { aliases: { 'GET /v2/x': 'GET /v9/none' } }).findOperation('GET', '/v2/x')).toThrow(/alias target/);
  });

  it('converts the OpenAPI 3.0 dialect', () => {
    expect(convertSchema({ type: 'string', enum: ['a'], nullable: true, example: 'a', 'x-go': 1 })).toEqual({ type: ['string', 'null'], enum: ['a', null] });
    expect(convertSchema({ allOf: [{ $ref: '#/components/schemas/T' }], nullable: true })).toEqual({
      anyOf: [{ allOf: [{ $ref: 'urn:openapi:components#/definitions/T' }] }, { type: 'null' }],
    });
    expect(convertSchema({ type: 'number', maximum: 5, exclusiveMaximum: true })).toEqual({ type: 'number', exclusiveMaximum: 5 });
    expect(pointerToJsonPath('/a/0/b~1c/d-e')).toBe('$.a[0]["b/c"]["d-e"]');
  });
});
