/** Any pg Client or Pool's query. */
export type Query = (text: string, values?: unknown[]) => Promise<unknown>;

/** A catalogue like the marketplace's: services across categories, in English and Bengali. */
const SERVICES: Array<[name: string, nameBn: string, category: string, price: number]> = [
  ['Home Deep Cleaning', 'বাসা ডিপ ক্লিনিং', 'CLEANING', 3500],
  ['Bathroom Cleaning', 'বাথরুম ক্লিনিং', 'CLEANING', 1200],
  ['Sofa Cleaning', 'সোফা ক্লিনিং', 'CLEANING', 1500],
  ['AC Servicing', 'এসি সার্ভিসিং', 'AC_REPAIR', 1000],
  ['AC Gas Refill', 'এসি গ্যাস রিফিল', 'AC_REPAIR', 2500],
  ['Pipe Leak Repair', 'পাইপ লিক মেরামত', 'PLUMBING', 800],
  ['Water Tank Cleaning', 'পানির ট্যাংক পরিষ্কার', 'PLUMBING', 2000],
  ['Electrical Wiring', 'ইলেকট্রিক ওয়্যারিং', 'ELECTRICAL', 1500],
  ['Fan Installation', 'ফ্যান লাগানো', 'ELECTRICAL', 500],
  ['Women Salon at Home', 'ঘরে নারী সেলুন', 'BEAUTY', 2000],
  ['Cockroach Control', 'তেলাপোকা নিয়ন্ত্রণ', 'PEST_CONTROL', 2500],
  ['House Shifting', 'বাসা বদল', 'SHIFTING', 12000],
  ['Fridge Repair', 'ফ্রিজ মেরামত', 'APPLIANCE_REPAIR', 1200],
  ['Interior Painting', 'ঘর রং করা', 'PAINTING', 8000],
  ['Furniture Repair', 'আসবাব মেরামত', 'CARPENTRY', 1500],
];

export const SERVICE_COUNT = SERVICES.length;

/** Inserts the catalogue (plus one inactive service, so filters have something to hide). */
export async function seedCatalogue(query: Query): Promise<void> {
  const values = SERVICES.map((_, i) => `($${i * 4 + 1}, $${i * 4 + 2}, $${i * 4 + 3}::service_category, $${i * 4 + 4})`).join(', ');
  await query(`INSERT INTO services (name, name_bn, category, base_price) VALUES ${values}`, SERVICES.flat());
  await query(`INSERT INTO services (name, name_bn, category, base_price, is_active) VALUES ('Retired Service', 'পুরনো সেবা', 'CLEANING', 100, false)`);
}
