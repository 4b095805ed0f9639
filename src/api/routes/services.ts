import { Router } from 'express';
import { z } from 'zod';
import { SERVICE_CATEGORIES, type Service, type ServiceCategory } from '../../db/types';
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

export function servicesRouter({ db }: ApiDeps): Router {
  const router = Router();
  router.get('/services', async (req, res) => {
    const query = parseQuery(ServicesQuery, req);
    let select = db.selectFrom('services').select(['id', 'name', 'name_bn', 'description', 'category', 'base_price', 'is_active']);
    if (!query.include_inactive) select = select.where('is_active', '=', true);
    if (query.category) select = select.where('category', '=', query.category);
    // enum order is the catalogue's order of categories
    const rows = await select.orderBy('category').orderBy('name').orderBy('id').execute();
    const services = rows.map(toServiceJson);
    // the catalogue changes rarely; a minute of client and proxy caching takes load off the API
    res.setHeader('cache-control', 'public, max-age=60');
    res.json({ services, count: services.length });
  });
  return router;
}
