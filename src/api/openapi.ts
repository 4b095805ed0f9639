import { extendZodWithOpenApi, OpenApiGeneratorV31, OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { accessFor, securityRequirement } from './access';

extendZodWithOpenApi(z);

/**
 * The OpenAPI document is generated from the same zod schemas the routes validate with:
 * every route file registers its paths here when its router is built.
 */
export const openApiRegistry = new OpenAPIRegistry();

export const ErrorBodySchema = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), details: z.unknown() }),
    correlation_id: z.string(),
  })
  .openapi('Error');

/** Standard error responses to spread into a route's `responses`. */
export function errorResponses(...statuses: number[]): Record<number, { description: string; content: { 'application/json': { schema: typeof ErrorBodySchema } } }> {
  return Object.fromEntries(
    statuses.map((s) => [s, { description: `error ${s}`, content: { 'application/json': { schema: ErrorBodySchema } } }]),
  );
}

openApiRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'access token from /auth/verify-otp' });
openApiRegistry.registerComponent('securitySchemes', 'apiKey', { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'INTERNAL_API_KEY (acts as an operator)' });

type Operations = Record<string, Record<string, Record<string, unknown>>>;

/** Puts each operation's access rule (`x-access`) and security requirement into the document. */
function withAccessRules<T extends { paths?: unknown }>(document: T): T {
  for (const [path, operations] of Object.entries((document.paths ?? {}) as Operations)) {
    for (const [method, operation] of Object.entries(operations)) {
      const access = accessFor(method, path);
      if (!access) continue; // the authorization-matrix test fails on this
      operation['x-access'] = access;
      operation.security = securityRequirement(access.rule);
    }
  }
  return document;
}

let cached: unknown;
export function openApiDocument(): unknown {
  cached ??= withAccessRules(new OpenApiGeneratorV31(openApiRegistry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'ShoktiAI API',
      version: '0.1.0',
      description: 'SmartEngage (customer re-engagement) and CoachNova (worker coaching) on Temporal.',
    },
    servers: [{ url: '/' }],
  }));
  return cached;
}
