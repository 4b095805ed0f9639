import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

const LOOPBACK_HOST = '127.0.0.1';

export interface CodecProxy {
  /** What the Temporal UI's `codec.endpoint` names (the UI appends /decode and /encode). */
  endpoint: string;
  stop(): Promise<void>;
}

export interface CodecProxyOptions {
  port: number;
  /** Origins of the stack's Temporal UI: the only pages whose requests are forwarded. */
  uiOrigins: string[];
  /** The APIs' base URLs, asked in order until one answers (a rolling restart keeps decoding). */
  apis: () => string[];
  /** The operator key the APIs' codec routes require. */
  internalApiKey: string;
}

/** A history page of payloads is bigger than an ordinary request; the APIs' codec route takes 8 MB too. */
const MAX_BODY = 8 * 1024 * 1024;
const ALLOWED_HEADERS = 'content-type, x-namespace, caller-type, authorization';

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function answer(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

/**
 * The codec endpoint of the stack's Temporal UI. The APIs run in production mode, where
 * `/codec/*` is for operators only and the development shortcut (CODEC_TRUST_LOCAL_UI) is refused;
 * the stack's UI has no login to pass a token with. So the stack, which holds INTERNAL_API_KEY,
 * listens on loopback and forwards the UI page's decode/encode calls to an API with the key —
 * only for requests from the UI's own origin — and operators read decrypted payloads in this UI as
 * in `npm start`. A real deployment puts the UI behind its SSO and lets it pass the access token
 * (README, runbook: codec server).
 */
export async function startCodecProxy(options: CodecProxyOptions): Promise<CodecProxy> {
  const origins = new Set(options.uiOrigins);
  const server = createServer(async (req, res) => {
    const origin = req.headers.origin;
    const direction = req.url === '/codec/decode' ? 'decode' : req.url === '/codec/encode' ? 'encode' : undefined;
    if (!direction) return answer(res, 404, JSON.stringify({ error: { code: 'not_found', message: 'POST /codec/decode or /codec/encode' } }));
    if (!origin || !origins.has(origin)) return answer(res, 403, JSON.stringify({ error: { code: 'forbidden', message: "only the stack's Temporal UI may use this endpoint" } }));
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-allow-credentials', 'true');
    res.setHeader('vary', 'origin');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-methods': 'POST', 'access-control-allow-headers': ALLOWED_HEADERS, 'access-control-max-age': '600' });
      return res.end();
    }
    if (req.method !== 'POST') return answer(res, 405, JSON.stringify({ error: { code: 'method_not_allowed', message: 'POST only' } }));
    const body = await readBody(req).catch(() => undefined);
    if (!body) return answer(res, 413, JSON.stringify({ error: { code: 'payload_too_large', message: 'at most 8 MB' } }));
    let lastError: unknown;
    for (const api of options.apis()) {
      try {
        const forwarded = await fetch(`${api}/codec/${direction}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': options.internalApiKey },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        return answer(res, forwarded.status, await forwarded.text(), forwarded.headers.get('content-type') ?? 'application/json');
      } catch (error) {
        lastError = error; // this API is down or restarting: the next one
      }
    }
    answer(res, 502, JSON.stringify({ error: { code: 'bad_gateway', message: `no API answered: ${String(lastError ?? 'none running')}` } }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, LOOPBACK_HOST, () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://${LOOPBACK_HOST}:${port}/codec`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
