import helmet from 'helmet';
import type { RequestHandler } from 'express';

/**
 * Security headers on every answer. The CSP allows what the API's own pages need and nothing
 * else: scripts, styles and images from this origin (swagger-ui at /docs, the operator console at
 * /console), inline styles (swagger-ui and our small HTML pages use them), data: images (swagger's
 * icons). No page may be framed (clickjacking of the unsubscribe form), no plugins, forms post
 * only here. Upgrading requests to https only when the API is served over https.
 */
export function securityHeaders(publicBaseUrl: string | undefined): RequestHandler {
  const https = publicBaseUrl?.startsWith('https:') ?? false;
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'frame-ancestors': ["'none'"],
        'form-action': ["'self'"],
        'upgrade-insecure-requests': https ? [] : null,
      },
    },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: https ? { maxAge: 15_552_000, includeSubDomains: true } : false,
  });
}
