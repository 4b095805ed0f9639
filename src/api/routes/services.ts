import { Router } from 'express';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { SERVICE_CATEGORIES, type Service, type ServiceCategory } from '../../db/types';
import type { Db } from '../../db/database';
import type { ApiDeps } from '../deps';
import { errorResponses, openApiRegistry } from '../openapi';
import { parseQuery } from '../validate';

export const ServiceCategorySchema = z.enum(SERVICE_CATEGORIES as [ServiceCategory, ...ServiceCategory[]]).openapi('ServiceCategory');

export const ServicesQuery = z
  .object({
    category: ServiceCategorySchema.optional(),
    include_inactive: z
      .enum(['true', 'false'])
      .openapi({ description: 'also list services no longer offered' })
      .optional()
      .transform((v) => v === 'true'),
  })
  .openapi('ServicesQuery');

export const ServiceSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    name_bn: z.string(),
    description: z.string(),
    category: ServiceCategorySchema,
    base_price: z.number().openapi({ description: 'in BDT' }),
    currency: z.literal('BDT'),
    is_active: z.boolean(),
  })
  .openapi('Service');
const ServiceListSchema = z.object({ services: z.array(ServiceSchema), count: z.number().int() }).openapi('ServiceList');

openApiRegistry.registerPath({
  method: 'get',
  path: '/services',
  summary: 'The service catalogue',
  description: 'Active services, by category in catalogue order then by name; `include_inactive=true` lists retired ones too.',
  tags: ['platform'],
  request: { query: ServicesQuery },
  responses: {
    200: { description: 'services', content: { 'application/json': { schema: ServiceListSchema } } },
    ...errorResponses(422),
  },
});

type ServiceRow = Pick<Service, 'id' | 'name' | 'name_bn' | 'description' | 'category' | 'base_price' | 'is_active'>;

/** numeric arrives from pg as a string (exact); prices are whole or two-decimal taka, safe as a JSON number. */
function toServiceJson(row: ServiceRow): z.infer<typeof ServiceSchema> {
  return { ...row, base_price: Number(row.base_price), currency: 'BDT' };
}

type ServicesFilter = z.infer<typeof ServicesQuery>;
type ServiceList = z.infer<typeof ServiceListSchema>;

async function readCatalogue(db: Db, query: ServicesFilter): Promise<ServiceList> {
  let select = db.selectFrom('services').select(['id', 'name', 'name_bn', 'description', 'category', 'base_price', 'is_active']);
  if (!query.include_inactive) select = select.where('is_active', '=', true);
  if (query.category) select = select.where('category', '=', query.category);
  // enum order is the catalogue's order of categories
  const rows = await select.orderBy('category').orderBy('name').orderBy('id').execute();
  const services = rows.map(toServiceJson);
  return { services, count: services.length };
}

/**
 * The catalogue is read on every app start and changes a few times a year: answers are kept for
 * SERVICES_CACHE_SECONDS, and concurrent misses share one database read.
 */
function catalogueReader(db: Db, ttlSeconds: number): (query: ServicesFilter) => Promise<ServiceList> {
  if (ttlSeconds <= 0) return (query) => readCatalogue(db, query);
  const cache = new LRUCache<string, ServiceList, ServicesFilter>({
    max: 64,
    ttl: ttlSeconds * 1000,
    fetchMethod: (_key, _stale, { context }) => readCatalogue(db, context),
  });
  return async (query) => (await cache.fetch(`${query.category ?? '*'}|${query.include_inactive}`, { context: query }))!;
}

export function servicesRouter({ db, config }: ApiDeps): Router {
  const router = Router();
  const catalogue = catalogueReader(db, config.SERVICES_CACHE_SECONDS);
  router.get('/services', async (req, res) => {
    const body = await catalogue(parseQuery(ServicesQuery, req));
    // the catalogue changes rarely; a minute of client and proxy caching takes load off the API
    res.setHeader('cache-control', 'public, max-age=60');
    res.json(body);
  });
  return router;
}
