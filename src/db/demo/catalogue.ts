import type { ServiceCategory } from '../types';

export interface CatalogueEntry {
  name: string;
  name_bn: string;
  description: string;
  category: ServiceCategory;
  /** BDT, the starting price shown in the app. */
  base_price: number;
  is_active: boolean;
  /** How long a typical job takes, for shaping workers' days. */
  typical_minutes: number;
  /** Relative popularity among customers. */
  popularity: number;
}

const entry = (
  category: ServiceCategory,
  name: string,
  name_bn: string,
  description: string,
  base_price: number,
  typical_minutes: number,
  popularity: number,
  is_active = true,
): CatalogueEntry => ({ category, name, name_bn, description, base_price, typical_minutes, popularity, is_active });

/** A home-services catalogue as found in Dhaka, prices in taka; three services are retired. */
export const DEMO_CATALOGUE: readonly CatalogueEntry[] = [
  entry('CLEANING', 'Full Home Deep Cleaning', 'সম্পূর্ণ বাসা ডিপ ক্লিনিং', 'Floors, windows, kitchen and bathrooms of a whole flat, with machines and chemicals.', 4500, 300, 10),
  entry('CLEANING', 'Kitchen Deep Cleaning', 'কিচেন ডিপ ক্লিনিং', 'Degreasing of stove, hood, tiles, cabinets and sink.', 2200, 180, 6),
  entry('CLEANING', 'Bathroom Cleaning', 'বাথরুম ক্লিনিং', 'Descaling of tiles, fittings, commode and basin.', 1200, 120, 7),
  entry('CLEANING', 'Sofa & Carpet Shampooing', 'সোফা ও কার্পেট শ্যাম্পু', 'Shampoo and vacuum cleaning of sofas and carpets.', 1800, 150, 4),
  entry('CLEANING', 'Water Tank Cleaning', 'পানির ট্যাংক পরিষ্কার', 'Draining, scrubbing and disinfecting an overhead or underground tank.', 2500, 180, 3),
  entry('AC_REPAIR', 'AC Servicing', 'এসি সার্ভিসিং', 'Jet wash of indoor and outdoor units, filter cleaning, performance check.', 1500, 90, 10),
  entry('AC_REPAIR', 'AC Gas Refill', 'এসি গ্যাস রিফিল', 'Leak check and refrigerant top-up (R22/R410).', 3500, 120, 4),
  entry('AC_REPAIR', 'AC Installation', 'এসি ইনস্টলেশন', 'Mounting indoor and outdoor units with up to 10 ft of piping.', 2800, 180, 3),
  entry('AC_REPAIR', 'AC Check-up & Repair', 'এসি চেক-আপ ও মেরামত', 'Diagnosis and repair of cooling, noise or water leakage problems.', 800, 90, 5),
  entry('PLUMBING', 'Basin & Sink Repair', 'বেসিন ও সিঙ্ক মেরামত', 'Leaks, blockages and replacement of basin or sink fittings.', 700, 75, 5),
  entry('PLUMBING', 'Water Pump Repair', 'পানির পাম্প মেরামত', 'Repair or replacement of a household water pump motor.', 1500, 120, 3),
  entry('PLUMBING', 'Commode Installation', 'কমোড ইনস্টলেশন', 'Fitting a new commode with cistern and connections.', 1800, 150, 2),
  entry('ELECTRICAL', 'Ceiling Fan Installation', 'সিলিং ফ্যান লাগানো', 'Mounting and wiring a ceiling fan with regulator.', 600, 60, 4),
  entry('ELECTRICAL', 'Wiring & Switchboard Repair', 'ওয়্যারিং ও সুইচবোর্ড মেরামত', 'Fault finding and repair of wiring, switches and sockets.', 900, 90, 5),
  entry('ELECTRICAL', 'IPS Servicing', 'আইপিএস সার্ভিসিং', 'Battery water, terminals and load check of an IPS.', 1200, 90, 3),
  entry('BEAUTY', 'Facial at Home', 'হোম ফেসিয়াল', 'Cleansing, scrub, mask and massage by a trained beautician.', 1500, 90, 5),
  entry('BEAUTY', 'Bridal Makeup', 'ব্রাইডাল মেকআপ', 'Full bridal makeup and hairdo at home.', 12000, 240, 1),
  entry('BEAUTY', 'Mehedi Design', 'মেহেদি ডিজাইন', 'Henna design on both hands, for weddings and Eid.', 1000, 90, 3),
  entry('BEAUTY', "Men's Haircut at Home", 'ছেলেদের চুল কাটা', 'Haircut and beard trim at home.', 400, 45, 2, false),
  entry('PEST_CONTROL', 'Cockroach Control', 'তেলাপোকা নিয়ন্ত্রণ', 'Gel and spray treatment of kitchen and bathrooms, odourless.', 2500, 120, 5),
  entry('PEST_CONTROL', 'Termite Control', 'উইপোকা নিয়ন্ত্রণ', 'Drilling and chemical treatment against termites.', 5500, 240, 2),
  entry('PEST_CONTROL', 'Bed Bug Control', 'ছারপোকা নিয়ন্ত্রণ', 'Two-visit treatment of beds, sofas and cracks.', 3500, 150, 2),
  entry('SHIFTING', 'Home Shifting (up to 2 rooms)', 'বাসা বদল (২ রুম পর্যন্ত)', 'Packing, loading, a covered pickup and unloading within Dhaka.', 8000, 420, 2),
  entry('SHIFTING', 'Office Shifting', 'অফিস শিফটিং', 'Moving desks, files and equipment with a team and trucks.', 18000, 480, 1, false),
  entry('APPLIANCE_REPAIR', 'Refrigerator Repair', 'ফ্রিজ মেরামত', 'Cooling, compressor and gas problems of refrigerators.', 1200, 120, 4),
  entry('APPLIANCE_REPAIR', 'Washing Machine Repair', 'ওয়াশিং মেশিন মেরামত', 'Drum, motor and drain problems of washing machines.', 1100, 105, 3),
  entry('APPLIANCE_REPAIR', 'Microwave Oven Repair', 'মাইক্রোওয়েভ ওভেন মেরামত', 'Heating and turntable problems of microwave ovens.', 900, 75, 1, false),
  entry('PAINTING', 'Room Painting', 'ঘর রং করা', 'Putty touch-up and two coats of plastic paint for one room.', 6500, 480, 2),
  entry('CARPENTRY', 'Furniture Repair', 'ফার্নিচার মেরামত', 'Fixing joints, hinges, drawers and polish of wooden furniture.', 1000, 120, 3),
  entry('CARPENTRY', 'Door Lock Installation', 'দরজার লক লাগানো', 'Fitting a mortise or cylinder lock on a wooden door.', 500, 60, 2),
];
