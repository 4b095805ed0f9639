import { startTestSystem, type TestSystem } from '../helpers/system';

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem({ worker: false });
});
afterAll(async () => {
  await system.stop();
});

describe('platform middleware', () => {
  it('answers /health with both dependencies up, and 503 while no worker polls the task queue', async () => {
    const res = await fetch(`${system.baseUrl}/health`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'degraded', database: 'up', temporal: 'up', checks: { workers: { status: 'down' } } });
  });

  it('echoes the caller correlation id and mints one otherwise', async () => {
    const echoed = await fetch(`${system.baseUrl}/health`, { headers: { 'x-correlation-id': 'abc-123' } });
    expect(echoed.headers.get('x-correlation-id')).toBe('abc-123');
    const minted = await fetch(`${system.baseUrl}/health`);
    expect(minted.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('turns malformed JSON into a 400 JSON error carrying the correlation id', async () => {
    const res = await fetch(`${system.baseUrl}/health`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-correlation-id': 'bad-json-1' },
      body: '{"nope": ',
    });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body).toEqual({ error: { code: 'malformed_json', message: expect.any(String), details: null }, correlation_id: 'bad-json-1' });
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await fetch(`${system.baseUrl}/no/such/route`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).error.code).toBe('not_found');
  });

  it('serves Prometheus metrics with request latency by route', async () => {
    await fetch(`${system.baseUrl}/health`);
    const res = await fetch(`${system.baseUrl}/metrics`);
    const text = await res.text();
    expect(text).toContain('http_request_duration_seconds_bucket');
    expect(text).toMatch(/route="\/health"/);
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('serves the OpenAPI document and the docs page', async () => {
    const doc = (await (await fetch(`${system.baseUrl}/openapi.json`)).json()) as any;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/health']).toBeDefined();
    const docs = await fetch(`${system.baseUrl}/docs/`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger');
  });
});
