import { randomUUID } from 'node:crypto';
import { createServer, STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { RequestListener } from 'node:http';
import { CORRELATION_HEADER } from './middleware/correlation';

export interface HttpTimeouts {
  /** Whole request headers must arrive within this (slow-header clients are cut off). */
  headersTimeoutMs: number;
  /** The whole request, body included. */
  requestTimeoutMs: number;
  /** An idle kept-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
}

/** What Node's parser reports, as our error body (`{"error": …, "correlation_id"}`). */
function clientErrorResponse(error: NodeJS.ErrnoException): { status: number; code: string; message: string } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'headers_too_large', message: 'request headers too large' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'request_timeout', message: 'the request did not arrive in time' };
    default:
      return { status: 400, code: 'bad_request', message: 'malformed HTTP request' };
  }
}

/**
 * The API's HTTP server: timeouts against slow clients (checked every second, not Node's default
 * 30 s), and the answers Node gives by itself to malformed requests (400), oversized headers
 * (431) and timeouts (408) shaped like every other error, with a correlation id.
 */
export function createHttpServer(app: RequestListener, timeouts: HttpTimeouts): Server {
  const server = createServer(
    {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      keepAliveTimeout: timeouts.keepAliveTimeoutMs,
      connectionsCheckingInterval: 1000,
    },
    app,
  );
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    const { status, code, message } = clientErrorResponse(error);
    const correlationId = randomUUID();
    const body = JSON.stringify({ error: { code, message, details: null }, correlation_id: correlationId });
    socket.end(
      [
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
        'content-type: application/json; charset=utf-8',
        `content-length: ${Buffer.byteLength(body)}`,
        `${CORRELATION_HEADER}: ${correlationId}`,
        'connection: close',
        '',
        body,
      ].join('\r\n'),
    );
  });
  return server;
}
