import { defaultPayloadConverter } from '@temporalio/common';
import { startCodecProxy, type CodecProxy } from '../../src/stack/codec-proxy';
import { uiConfigYaml } from '../../src/stack/temporal-ui';
import { payloadKeys } from '../../src/temporal/codec/data-converter';
import { EncryptionCodec } from '../../src/temporal/codec/encryption-codec';
import { freePort } from '../../src/temporal/dev-server';
import { startTestSystem, type TestSystem } from '../helpers/system';

/**
 * `npm run stack`'s Temporal UI shows decrypted payloads: its config names a codec endpoint, which
 * forwards the UI page's calls (its origin only) to an API's operator-only /codec routes with the
 * stack's key. The APIs run in production mode, so the development shortcut is not available.
 */
const UI_ORIGIN = 'http://127.0.0.1:18234';
const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('base64');

let system: TestSystem;
let proxy: CodecProxy;
beforeAll(async () => {
  system = await startTestSystem({ worker: false });
  // the first API is down (a rolling restart): the proxy moves on to the next
  const deadApi = `http://127.0.0.1:${await freePort()}`;
  proxy = await startCodecProxy({ port: 0, uiOrigins: [UI_ORIGIN], apis: () => [deadApi, system.baseUrl], internalApiKey: system.config.INTERNAL_API_KEY! });
});
afterAll(async () => {
  await proxy?.stop();
  await system?.stop();
});

it("writes the codec endpoint into the UI server's configuration, with no token to pass", () => {
  const yaml = uiConfigYaml({ temporalAddress: '127.0.0.1:7233', port: 18234, namespace: 'default', corsOrigins: [], codecEndpoint: proxy.endpoint });
  expect(yaml).toContain(`codec:\n  endpoint: "${proxy.endpoint}"\n  passAccessToken: false\n  includeCredentials: false`);
  expect(uiConfigYaml({ temporalAddress: 'x:1', port: 1, namespace: 'default', corsOrigins: [] })).not.toContain('codec:');
});

it("decrypts a payload for the UI's page through an API, with CORS for the UI origin", async () => {
  const codec = new EncryptionCodec(payloadKeys(system.config));
  const [sealed] = await codec.encode([defaultPayloadConverter.toPayload({ firstName: 'Zarifa' })]);
  const preflight = await fetch(`${proxy.endpoint}/decode`, { method: 'OPTIONS', headers: { origin: UI_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' } });
  expect(preflight.status).toBe(204);
  expect(preflight.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
  expect(preflight.headers.get('access-control-allow-headers')).toContain('x-namespace');

  const res = await fetch(`${proxy.endpoint}/decode`, {
    method: 'POST',
    headers: { origin: UI_ORIGIN, 'content-type': 'application/json', 'x-namespace': 'default' },
    body: JSON.stringify({ payloads: [{ metadata: Object.fromEntries(Object.entries(sealed.metadata ?? {}).map(([k, v]) => [k, b64(v)])), data: b64(sealed.data) }] }),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
  const { payloads } = (await res.json()) as { payloads: Array<{ data: string }> };
  expect(JSON.parse(Buffer.from(payloads[0].data, 'base64').toString('utf8'))).toEqual({ firstName: 'Zarifa' });
});

it('forwards nothing for any other page or path', async () => {
  const body = JSON.stringify({ payloads: [] });
  expect((await fetch(`${proxy.endpoint}/decode`, { method: 'POST', headers: { origin: 'http://evil.example', 'content-type': 'application/json' }, body })).status).toBe(403);
  expect((await fetch(`${proxy.endpoint}/decode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status).toBe(403);
  expect((await fetch(proxy.endpoint.replace('/codec', '/internal/ai/smartengage/jobs/x'), { headers: { origin: UI_ORIGIN } })).status).toBe(404);
});
