import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter, ValueError } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { signAccessToken } from '../../src/auth/jwt';
import { keyringFor } from '../../src/security/keyring';
import { encryptedDataConverter, payloadKeys } from '../../src/temporal/codec/data-converter';
import { EncryptionCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../src/temporal/codec/encryption-codec';
import { temporalHttpError } from '../../src/temporal/grpc-errors';
import { postJson } from '../helpers/http';
import { startTestSystem, type TestSystem } from '../helpers/system';

const UI_ORIGIN = 'http://localhost:18233';
const API_KEY = { 'x-api-key': 'test-internal-api-key-0123456789' };
const key = () => randomBytes(32).toString('base64');
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  /* already installed in this module registry */
}

const asText = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');

describe('the payload codec', () => {
  const payload = defaultPayloadConverter.toPayload({ firstName: 'Zarifa', text: 'আমার এসি ঠিক হয়নি' });

  it('seals the whole payload with AES-256-GCM and names the key', async () => {
    const codec = new EncryptionCodec(payloadKeys({ PAYLOAD_CODEC_KEY: key() }));
    const [sealed] = await codec.encode([payload]);
    expect(asText(sealed.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(asText(sealed.metadata?.[KEY_ID_METADATA])).toMatch(/^[\w-]{12}$/);
    expect(asText(sealed.data)).not.toContain('Zarifa');
    expect(await codec.decode([sealed])).toEqual([temporal.api.common.v1.Payload.create(payload)]);
    // a fresh IV each time
    const [again] = await codec.encode([payload]);
    expect(Buffer.from(again.data!).equals(Buffer.from(sealed.data!))).toBe(false);
  });

  it('decrypts with previous keys after a rotation, and refuses unknown keys and tampering', async () => {
    const oldKey = key();
    const [sealedWithOld] = await new EncryptionCodec(payloadKeys({ PAYLOAD_CODEC_KEY: oldKey })).encode([payload]);
    const rotated = new EncryptionCodec(payloadKeys({ PAYLOAD_CODEC_KEY: key(), PAYLOAD_CODEC_PREVIOUS_KEYS: [oldKey] }));
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([sealedWithOld]))[0])).toEqual({ firstName: 'Zarifa', text: 'আমার এসি ঠিক হয়নি' });
    const [sealedNew] = await rotated.encode([payload]);
    expect(asText(sealedNew.metadata?.[KEY_ID_METADATA])).not.toBe(asText(sealedWithOld.metadata?.[KEY_ID_METADATA]));

    await expect(new EncryptionCodec(payloadKeys({ PAYLOAD_CODEC_KEY: key() })).decode([sealedWithOld])).rejects.toThrow(/unknown key id/);
    const tampered = { ...sealedWithOld, data: Buffer.from(sealedWithOld.data!).map((b, i) => (i === 20 ? b ^ 1 : b)) };
    await expect(rotated.decode([tampered])).rejects.toThrow();
    // relabelling a payload to another key id fails authentication too
    const other = keyringFor('temporal-payload', [key(), oldKey]);
    const relabelled = { ...sealedWithOld, metadata: { ...sealedWithOld.metadata, [KEY_ID_METADATA]: Buffer.from(other.signing.kid) } };
    await expect(new EncryptionCodec(other).decode([relabelled])).rejects.toThrow();
  });

  it('refuses a sealed payload cut short or emptied, and one marked encrypted that names no key', async () => {
    const codec = new EncryptionCodec(payloadKeys({ PAYLOAD_CODEC_KEY: key() }));
    const [sealed] = await codec.encode([payload]);
    // shorter than an IV and a tag: a payload truncated on the way
    await expect(codec.decode([{ ...sealed, data: sealed.data!.subarray(0, 27) }])).rejects.toThrow(new ValueError('encrypted payload too short'));
    await expect(codec.decode([{ metadata: sealed.metadata }])).rejects.toThrow(/too short/);
    // one byte short of the whole: the tag no longer matches
    await expect(codec.decode([{ ...sealed, data: sealed.data!.subarray(0, sealed.data!.length - 1) }])).rejects.toThrow(/unable to authenticate/);
    const { [KEY_ID_METADATA]: _kid, ...withoutKeyId } = sealed.metadata!;
    await expect(codec.decode([{ ...sealed, metadata: withoutKeyId }])).rejects.toThrow('payload encrypted with unknown key id undefined');
  });

  it('answers a run written with a key this client does not hold as a permanent failure, not "try again"', async () => {
    const connection = await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! });
    try {
      const writer = new Client({ connection, namespace: 'default', dataConverter: encryptedDataConverter({ PAYLOAD_CODEC_KEY: key() }) });
      const workflowId = `codec-wrong-key-${randomUUID()}`;
      const handle = await writer.workflow.start('reengageCustomer', { workflowId, taskQueue: `idle-${randomUUID()}`, args: [{}], memo: { customer: 'Zarifa' } });
      expect((await handle.describe()).memo).toEqual({ customer: 'Zarifa' });
      const reader = new Client({ connection, namespace: 'default', dataConverter: encryptedDataConverter({ PAYLOAD_CODEC_KEY: key() }) });
      const error = await reader.workflow.getHandle(workflowId).describe().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValueError);
      expect((error as Error).message).toMatch(/unknown key id/);
      expect(temporalHttpError(error, 'describe the run')).toMatchObject({ status: 500, code: 'temporal_rejected' });
      await handle.terminate('test over');
    } finally {
      await connection.close();
    }
  });

  it('passes payloads written before the codec through, so old histories still decode', async () => {
    const codec = new EncryptionCodec(payloadKeys({ PAYLOAD_CODEC_KEY: key() }));
    expect(await codec.decode([payload])).toEqual([payload]);
    // one without any metadata too
    expect(await codec.decode([{ data: payload.data }])).toEqual([{ data: payload.data }]);
  });

  const histories = readdirSync(join(__dirname, '../smartengage/histories')).filter((f) => f.endsWith('.binpb'));
  it.each(histories)('replays %s, recorded before the codec, with the encrypting data converter', async (file) => {
    const history = temporal.api.history.v1.History.decode(readFileSync(join(__dirname, '../smartengage/histories', file)));
    await expect(
      Worker.runReplayHistory(
        { workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! }, dataConverter: encryptedDataConverter({ PAYLOAD_CODEC_KEY: key() }) },
        history,
        `replay-codec-${file}`,
      ),
    ).resolves.toBeUndefined();
  });
});

describe('POST /codec/decode and /codec/encode', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({ worker: false, env: { TEMPORAL_UI_ORIGINS: UI_ORIGIN } });
  });
  afterAll(async () => {
    await system.stop();
  });

  const plain = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('{"text":"hello"}').toString('base64') };

  it('round-trips payloads for an operator (internal key or operator token)', async () => {
    const encoded = await postJson(`${system.baseUrl}/codec/encode`, { payloads: [plain] }, API_KEY);
    expect(encoded.status).toBe(200);
    expect(Buffer.from(encoded.body.payloads[0].metadata.encoding, 'base64').toString()).toBe(ENCRYPTED_ENCODING);
    const operator = await signAccessToken({ sub: randomUUID(), role: 'operator', email: 'ops@example.com' }, system.config, 600);
    const decoded = await postJson(`${system.baseUrl}/codec/decode`, encoded.body, { authorization: `Bearer ${operator}` });
    expect(decoded.status).toBe(200);
    expect(decoded.body).toEqual({ payloads: [plain] });
  });

  it('refuses everyone else, and undecodable payloads are a 422', async () => {
    const anonymous = await postJson(`${system.baseUrl}/codec/decode`, { payloads: [plain] }, { origin: 'http://evil.example' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.correlation_id).toEqual(expect.any(String));
    // the trusted-local-UI exception is off unless configured
    expect((await postJson(`${system.baseUrl}/codec/decode`, { payloads: [plain] }, { origin: UI_ORIGIN })).status).toBe(401);
    const customer = await signAccessToken({ sub: randomUUID(), role: 'customer', email: 'c@example.com' }, system.config, 600);
    expect((await postJson(`${system.baseUrl}/codec/decode`, { payloads: [plain] }, { authorization: `Bearer ${customer}` })).status).toBe(403);
    const garbage = { metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING).toString('base64'), [KEY_ID_METADATA]: Buffer.from('nope').toString('base64') }, data: 'AAAA' };
    const bad = await postJson(`${system.baseUrl}/codec/decode`, { payloads: [garbage] }, API_KEY);
    expect(bad.status).toBe(422);
    expect((await postJson(`${system.baseUrl}/codec/decode`, { payloads: 'x' }, API_KEY)).status).toBe(422);
  });

  it('answers the Temporal UI origin preflight with credentials allowed, and no other origin', async () => {
    const preflight = await fetch(`${system.baseUrl}/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: UI_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace,authorization' },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/x-namespace/);
    const foreign = await fetch(`${system.baseUrl}/codec/decode`, { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('the local Temporal UI of npm start', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({ worker: false, env: { TEMPORAL_UI_ORIGINS: UI_ORIGIN, CODEC_TRUST_LOCAL_UI: 'true' } });
  });
  afterAll(async () => {
    await system.stop();
  });

  it('decodes for the configured UI origin over loopback without a login (development only)', async () => {
    const encoded = await postJson(`${system.baseUrl}/codec/encode`, { payloads: [{ data: Buffer.from('"x"').toString('base64') }] }, API_KEY);
    const res = await postJson(`${system.baseUrl}/codec/decode`, encoded.body, { origin: UI_ORIGIN, 'x-namespace': 'default' });
    expect(res.status).toBe(200);
    expect(Buffer.from(res.body.payloads[0].data, 'base64').toString()).toBe('"x"');
    expect((await postJson(`${system.baseUrl}/codec/decode`, encoded.body, { origin: 'http://evil.example' })).status).toBe(401);
  });
});
