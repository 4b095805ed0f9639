import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import { createApp } from '../../src/api/app';
import { createLogger } from '../../src/lib/logger';
import { metricsRegistry } from '../../src/lib/metrics';
import { isValidCron, isValidTimeZone } from '../../src/lib/schedule-spec';
import { createServiceAndCustomer, createWorker, createBooking, API_KEY } from '../coachnova/fixtures';
import { customerToken } from '../smartengage/fixtures';
import { getJson, postJson } from '../helpers/http';
import { startTestSystem, type TestSystem } from '../helpers/system';

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem({ worker: false, env: { HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '2000' } });
});
afterAll(async () => {
  await system.stop();
});

/** Sends raw bytes and reads the whole answer (Node's own answers come before any route). */
function raw(request: string, timeoutMs = 10_000): Promise<string> {
  const { port } = new URL(system.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let answer = '';
    socket.setTimeout(timeoutMs, () => reject(new Error(`no answer within ${timeoutMs} ms`)));
    socket.on('data', (d) => (answer += d.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.write(request);
  });
}

function jsonOf(answer: string) {
  return JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
}

async function routeLabels(): Promise<string[]> {
  const metric = (await metricsRegistry.getMetricsAsJSON()).find((m) => m.name === 'http_request_duration_seconds');
  return [...new Set((metric?.values ?? []).map((v) => String(v.labels.route)))];
}

describe('metrics', () => {
  it('labels requests by route template only: unknown paths share one label', async () => {
    for (let i = 0; i < 20; i++) {
      await getJson(`${system.baseUrl}/internal/card-${randomUUID()}`);
      await getJson(`${system.baseUrl}/nowhere/${randomUUID()}`);
    }
    const labels = await routeLabels();
    expect(labels.filter((l) => /card-|nowhere/.test(l))).toEqual([]);
    expect(labels).toContain('unmatched');
  });

  it('serves /metrics to operators only in production', async () => {
    const app = createApp({ config: { ...system.config, NODE_ENV: 'production' }, db: system.db, temporal: system.client, mailer: system.mailer, logger: createLogger('silent') });
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/metrics`;
      const anonymous = await getJson(url);
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.correlation_id).toEqual(expect.any(String));
      expect((await fetch(url, { headers: API_KEY })).status).toBe(200);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect((await fetch(`${system.baseUrl}/metrics`)).status).toBe(200);
  });
});

describe('HTTP hardening', () => {
  it('sends security headers, with a CSP that keeps /docs working and pages unframable', async () => {
    for (const path of ['/docs/', '/health', `/unsubscribe/garbage`]) {
      const res = await fetch(`${system.baseUrl}${path}`, { headers: { accept: 'text/html' } });
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
    // swagger-ui's page loads only same-origin scripts
    const docs = await (await fetch(`${system.baseUrl}/docs/`)).text();
    const scripts = [...docs.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.every((src) => !/^https?:/.test(src))).toBe(true);
    expect(docs).not.toMatch(/<script(?![^>]*src=)[^>]*>\s*\S/);
  });

  it("shapes Node's own 400, 431 and 408 answers as JSON errors with a correlation id", async () => {
    const malformed = await raw('GARBAGE\r\n\r\n');
    expect(malformed).toMatch(/^HTTP\/1\.1 400/);
    expect(jsonOf(malformed)).toEqual({ error: { code: 'bad_request', message: expect.any(String), details: null }, correlation_id: expect.any(String) });

    const huge = await raw(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(huge).toMatch(/^HTTP\/1\.1 431/);
    expect(jsonOf(huge).error.code).toBe('headers_too_large');

    // a client that never finishes its headers is cut off after HTTP_HEADERS_TIMEOUT_MS
    const started = Date.now();
    const slow = await raw('GET /health HTTP/1.1\r\nHost: x\r\n', 15_000);
    expect(Date.now() - started).toBeLessThan(8000);
    expect(slow).toMatch(/^HTTP\/1\.1 408/);
    expect(jsonOf(slow)).toEqual({ error: { code: 'request_timeout', message: expect.any(String), details: null }, correlation_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(slow).toMatch(new RegExp(`x-correlation-id: ${jsonOf(slow).correlation_id}`));
  });

  it('believes X-Forwarded-For only from configured proxies', async () => {
    const app = createApp({ config: { ...system.config, TRUST_PROXY: undefined, OTP_IP_REQUESTS_PER_WINDOW: 2 }, db: system.db, temporal: system.client, mailer: system.mailer, logger: createLogger('silent') });
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/auth/request-otp`;
      const statuses: number[] = [];
      // a forged header per request does not buy a fresh per-IP budget
      for (let i = 0; i < 4; i++) statuses.push((await postJson(url, { email: `x-${randomUUID()}@example.com` }, { 'x-forwarded-for': `10.9.${i}.1` })).status);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await app.drainBackground();
    }
  });
});

describe('input validation', () => {
  it('answers a NUL byte or a lone surrogate in text with a 422 naming the field, not a 500', async () => {
    const fixture = await createServiceAndCustomer(system.db);
    const worker = await createWorker(system.db);
    const booking = await createBooking(system.db, fixture, worker.id);
    const url = `${system.baseUrl}/bookings/${booking}/complete`;
    for (const feedback of ['bad\u0000job', 'bad \ud800 job', '\udc00']) {
      const res = await postJson(url, JSON.stringify({ rating: 2, feedback }).replace(/[\ud800-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`), API_KEY);
      expect(res.status).toBe(422);
      expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'feedback' })]);
      expect(res.body.correlation_id).toEqual(expect.any(String));
    }
    // a well-formed emoji (a surrogate pair) is fine
    expect((await postJson(url, { rating: 2, feedback: 'late 😞' }, API_KEY)).status).toBeLessThan(300);
  });

  it('refuses invalid cron expressions and timezones before Temporal sees them', async () => {
    for (const body of [
      { cron: '99 * * * *' },
      { cron: 'a b c d e' },
      { cron: '0 12 * * * *' },
      { cron: '0 12 L * *' },
      { cron: '0 12 * * 9' },
      { timezone: 'asia/dhaka' },
      { timezone: 'Mars/Olympus' },
      { timezone: 'Asia/Dhaka\u0000' },
    ]) {
      const res = await postJson(`${system.baseUrl}/internal/ai/smartengage/schedules`, { schedule_id: `bad-${randomUUID()}`, ...body }, API_KEY);
      expect({ body, status: res.status }).toEqual({ body, status: 422 });
    }
    expect(['0 12 * * *', '*/15 8-20 * * MON-FRI', '0 0 1 1 *'].every(isValidCron)).toBe(true);
    expect(['Asia/Dhaka', 'UTC', 'America/New_York'].every(isValidTimeZone)).toBe(true);
  });

  it('range-checks customer-supplied times', async () => {
    const fixture = await createServiceAndCustomer(system.db);
    const token = await customerToken(system, { id: fixture.customerId, email: 'c@example.com' });
    for (const scheduled_at of ['0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '1970-01-01T00:00:00Z']) {
      const res = await postJson(`${system.baseUrl}/bookings`, { service_id: fixture.serviceId, scheduled_at }, { authorization: `Bearer ${token}` });
      expect({ scheduled_at, status: res.status }).toEqual({ scheduled_at, status: 422 });
    }
    const ok = await postJson(`${system.baseUrl}/bookings`, { service_id: fixture.serviceId, scheduled_at: new Date(Date.now() + 86_400_000).toISOString() }, { authorization: `Bearer ${token}` });
    expect(ok.status).toBe(201);
    const future = await postJson(`${system.baseUrl}/internal/ai/coachnova/events`, { type: 'check_in', worker_id: randomUUID(), score: 5, occurred_at: '9999-01-01T00:00:00Z' }, API_KEY);
    expect(future.status).toBe(422);
  });
});
