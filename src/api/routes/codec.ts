import cors from 'cors';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Payload } from '@temporalio/common';
import { z } from 'zod';
import { HttpError, unauthorized, forbidden } from '../../lib/errors';
import { EncryptionCodec } from '../../temporal/codec/encryption-codec';
import { payloadKeys } from '../../temporal/codec/data-converter';
import type { ApiDeps } from '../deps';
import { authenticate } from '../middleware/auth';
import { errorResponses, openApiRegistry } from '../openapi';
import { parseBody } from '../validate';

/** A payload as the Temporal UI and `tctl`/`temporal` send it: metadata values and data base64-encoded. */
const JsonPayload = z.object({
  metadata: z.record(z.string().max(256), z.base64().max(4096)).optional(),
  data: z.base64().max(4_000_000).optional(),
});
export const CodecBody = z.object({ payloads: z.array(JsonPayload).max(10_000) }).openapi('CodecPayloads');

for (const direction of ['decode', 'encode'] as const) {
  openApiRegistry.registerPath({
    method: 'post',
    path: `/codec/${direction}`,
    summary: direction === 'decode' ? 'Decrypt Temporal payloads for the Temporal UI' : 'Encrypt payloads (the UI uses it to send signals and inputs)',
    description:
      'The remote codec endpoint of the Temporal UI and CLI (`--codec-endpoint`). Operators only (operator token or x-api-key); CORS for the configured Temporal UI origins.',
    tags: ['operations'],
    request: { body: { content: { 'application/json': { schema: CodecBody } } } },
    responses: {
      200: { description: `the payloads, ${direction}d`, content: { 'application/json': { schema: CodecBody } } },
      ...errorResponses(400, 401, 403, 413, 422),
    },
  });
}

const fromJson = (p: z.infer<typeof JsonPayload>): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * `POST /codec/decode` and `/codec/encode`: the Temporal UI shows operators decrypted payloads
 * through these. Mounted before the app's JSON parser: a history page of payloads is bigger than
 * an ordinary request.
 */
export function codecRouter({ config }: ApiDeps): Router {
  const router = Router();
  const codec = new EncryptionCodec(payloadKeys(config));
  const origins = new Set(config.TEMPORAL_UI_ORIGINS);

  /** Operators, or (development) the local Temporal UI, which has no login. */
  const operatorsOnly = (req: Request, _res: Response, next: NextFunction) => {
    if (req.auth?.role === 'operator') return next();
    const origin = req.header('origin');
    if (config.CODEC_TRUST_LOCAL_UI && origin && origins.has(origin) && LOOPBACK.has(req.socket.remoteAddress ?? '')) return next();
    next(req.auth ? forbidden('operators only') : unauthorized('operator token or x-api-key required'));
  };

  router.use(
    '/codec',
    cors({
      origin: (origin, done) => done(null, origin !== undefined && origins.has(origin)),
      credentials: true,
      methods: ['POST'],
      allowedHeaders: ['content-type', 'authorization', 'x-api-key', 'x-namespace', 'caller-type', 'x-correlation-id'],
      exposedHeaders: ['x-correlation-id'],
      maxAge: 600,
    }),
  );
  for (const direction of ['decode', 'encode'] as const) {
    router.post(`/codec/${direction}`, authenticate(config), operatorsOnly, express.json({ limit: '8mb' }), async (req, res) => {
      const { payloads } = parseBody(CodecBody, req);
      try {
        const result = await codec[direction](payloads.map(fromJson));
        res.json({ payloads: result.map(toJson) });
      } catch (error) {
        throw new HttpError(422, 'undecodable_payload', error instanceof Error ? error.message : String(error));
      }
    });
  }
  return router;
}
