import { getJson } from '../helpers/http';
import { startTestSystem, type TestSystem } from '../helpers/system';

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem({ worker: false, env: { SERVICES_CACHE_SECONDS: '1' } });
  await system.db
    .insertInto('services')
    .values([
      { name: 'Full Home Deep Cleaning', name_bn: 'সম্পূর্ণ বাসা ডিপ ক্লিনিং', category: 'CLEANING', base_price: '4500.00' },
      { name: 'Bathroom Cleaning', name_bn: 'বাথরুম ক্লিনিং', category: 'CLEANING', base_price: 1200 },
      { name: 'Sofa Shampooing', name_bn: 'সোফা শ্যাম্পু', category: 'CLEANING', base_price: 1850.5, is_active: false },
      { name: 'AC Servicing', name_bn: 'এসি সার্ভিসিং', category: 'AC_REPAIR', base_price: 1500 },
      { name: 'Cockroach Control', name_bn: 'তেলাপোকা নিয়ন্ত্রণ', category: 'PEST_CONTROL', base_price: 2500 },
    ])
    .execute();
});
afterAll(async () => {
  await system.stop();
});

const names = (body: any): string[] => body.services.map((s: any) => s.name);

describe('GET /services', () => {
  it('lists active services by category, then name, with prices as numbers', async () => {
    const res = await getJson(`${system.baseUrl}/services`);
    expect(res.status).toBe(200);
    expect(names(res.body)).toEqual(['Bathroom Cleaning', 'Full Home Deep Cleaning', 'AC Servicing', 'Cockroach Control']);
    expect(res.body.count).toBe(4);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    const deep = res.body.services.find((s: any) => s.name === 'Full Home Deep Cleaning');
    expect(deep).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Full Home Deep Cleaning',
      name_bn: 'সম্পূর্ণ বাসা ডিপ ক্লিনিং',
      description: '',
      category: 'CLEANING',
      base_price: 4500,
      currency: 'BDT',
      is_active: true,
    });
  });

  it('filters by category', async () => {
    const res = await getJson(`${system.baseUrl}/services?category=CLEANING`);
    expect(res.status).toBe(200);
    expect(names(res.body)).toEqual(['Bathroom Cleaning', 'Full Home Deep Cleaning']);
    const none = await getJson(`${system.baseUrl}/services?category=SHIFTING`);
    expect(none.body).toEqual({ services: [], count: 0 });
  });

  it('shows retired services only when asked', async () => {
    const all = await getJson(`${system.baseUrl}/services?category=CLEANING&include_inactive=true`);
    expect(names(all.body)).toEqual(['Bathroom Cleaning', 'Full Home Deep Cleaning', 'Sofa Shampooing']);
    const sofa = all.body.services.find((s: any) => s.name === 'Sofa Shampooing');
    expect(sofa).toMatchObject({ is_active: false, base_price: 1850.5 });
    const explicitFalse = await getJson(`${system.baseUrl}/services?include_inactive=false`);
    expect(explicitFalse.body.count).toBe(4);
  });

  it('rejects an unknown category or flag with a 422 naming the parameter', async () => {
    const res = await getJson(`${system.baseUrl}/services?category=GARDENING`);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'category' })]);
    const flag = await getJson(`${system.baseUrl}/services?include_inactive=maybe`);
    expect(flag.status).toBe(422);
    expect(flag.body.error.details).toEqual([expect.objectContaining({ path: 'include_inactive' })]);
  });

  it('is documented in the OpenAPI document with its query parameters', async () => {
    const doc = (await getJson(`${system.baseUrl}/openapi.json`)).body;
    const op = doc.paths['/services'].get;
    expect(op.parameters.map((p: any) => p.name).sort()).toEqual(['category', 'include_inactive']);
    expect(doc.components.schemas.Service.properties.base_price.type).toBe('number');
  });

  it('answers from memory for SERVICES_CACHE_SECONDS, then reads the catalogue again', async () => {
    const before = await getJson(`${system.baseUrl}/services?category=PLUMBING`);
    await system.db.insertInto('services').values({ name: 'Tap Repair', name_bn: 'কল মেরামত', category: 'PLUMBING', base_price: 600 }).execute();
    const cached = await getJson(`${system.baseUrl}/services?category=PLUMBING`);
    expect(cached.body).toEqual(before.body);
    await new Promise((r) => setTimeout(r, 1100));
    const fresh = await getJson(`${system.baseUrl}/services?category=PLUMBING`);
    expect(names(fresh.body)).toEqual([...names(before.body), 'Tap Repair']);
  });
});
