import { extendZodWithOpenApi, OpenApiGeneratorV31, OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

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

let cached: unknown;
export function openApiDocument(): unknown {
  cached ??= new OpenApiGeneratorV31(openApiRegistry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'ShoktiAI API',
      version: '0.1.0',
      description: 'SmartEngage (customer re-engagement) and CoachNova (worker coaching) on Temporal.',
    },
    servers: [{ url: '/' }],
  });
  return cached;
}
