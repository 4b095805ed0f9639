import type { Consent, Locale } from '../types';
import { makePerson, type DemoPerson } from './people';
import { WeightedTable, type DemoRandom } from './random';
import type { DemoService } from './workers';

/**
 * Where a customer stands with the marketplace today:
 * - lapsed: last job 22–60 days ago, past the usual 21-day cadence (SmartEngage's audience);
 * - active: booked in the last fortnight (the recent jobs of the workers are theirs);
 * - dormant: last job 2–5 months ago;
 * - new: signed up, never booked.
 */
export type CustomerProfile = 'lapsed' | 'active' | 'dormant' | 'new';

export interface DemoCustomer extends DemoPerson {
  id: string;
  /** Offices, clinics and apartment blocks book often and for many sites. */
  kind: 'household' | 'business';
  locale: Locale;
  consent: Consent;
  is_active: boolean;
  profile: CustomerProfile;
  /** The service they come back for most. */
  favourite: DemoService;
  /** Days between their bookings, roughly. */
  cadence_days: number;
  /** How much of the recent work goes to this customer (households differ a lot). */
  recent_weight: number;
}

const PROFILES: ReadonlyArray<readonly [CustomerProfile, number]> = [
  ['lapsed', 45],
  ['active', 38],
  ['dormant', 12],
  ['new', 5],
];

function consentFor(random: DemoRandom): Consent {
  // absent means no consent, as for customers who never answered the question
  return random.weighted<Consent>([
    [{ marketing: true }, 85],
    [{ marketing: false }, 10],
    [{}, 5],
  ]);
}

/** Business accounts (B2B), named in Bengali and English; they book weekly or so, across their sites. */
const BUSINESSES: ReadonlyArray<readonly [bn: string, en: string, slug: string]> = [
  ['গুলশান হাইটস ফ্ল্যাট মালিক সমিতি', 'Gulshan Heights Flat Owners Association', 'gulshan-heights'],
  ['ধানমন্ডি ডেন্টাল কেয়ার', 'Dhanmondi Dental Care', 'dhanmondi-dental'],
  ['বনানী ক্যাফে অ্যান্ড রেস্টুরেন্ট', 'Banani Cafe & Restaurant', 'banani-cafe'],
  ['উত্তরা গ্রীন ভিউ অ্যাপার্টমেন্টস', 'Uttara Green View Apartments', 'uttara-greenview'],
  ['মিরপুর ছাত্রী হোস্টেল', 'Mirpur Girls Hostel', 'mirpur-hostel'],
  ['মতিঝিল ট্রেড সেন্টার', 'Motijheel Trade Centre', 'motijheel-trade'],
  ['বসুন্ধরা কো-ওয়ার্কিং স্পেস', 'Bashundhara Co-working Space', 'bashundhara-cowork'],
  ['মোহাম্মদপুর কিন্ডারগার্টেন', 'Mohammadpur Kindergarten', 'mohammadpur-kg'],
  ['তেজগাঁও গার্মেন্টস অফিস', 'Tejgaon Garments Office', 'tejgaon-garments'],
  ['বারিধারা গেস্ট হাউস', 'Baridhara Guest House', 'baridhara-guesthouse'],
  ['লালমাটিয়া ক্লিনিক', 'Lalmatia Clinic', 'lalmatia-clinic'],
  ['খিলগাঁও সুপার শপ', 'Khilgaon Super Shop', 'khilgaon-supershop'],
];

function household(random: DemoRandom, serial: number, favourites: WeightedTable<DemoService>): DemoCustomer {
  const locale: Locale = random.chance(0.8) ? 'bn' : 'en';
  return {
    id: random.uuid(),
    kind: 'household',
    ...makePerson(random, serial, locale),
    locale,
    consent: consentFor(random),
    is_active: random.chance(0.98),
    profile: random.weighted(PROFILES),
    favourite: favourites.pick(random),
    cadence_days: random.int(20, 45),
    recent_weight: random.between(0.5, 1.5),
  };
}

function business(random: DemoRandom, [bn, en, slug]: (typeof BUSINESSES)[number], favourites: WeightedTable<DemoService>): DemoCustomer {
  const locale: Locale = random.chance(0.7) ? 'bn' : 'en';
  const subscriber = Array.from({ length: 7 }, () => random.int(0, 9)).join('');
  return {
    id: random.uuid(),
    kind: 'business',
    full_name: locale === 'bn' ? bn : en,
    email: `facilities.${slug}@example.com`,
    phone: `+88019${subscriber}0`,
    locale,
    consent: consentFor(random),
    is_active: true,
    profile: 'active',
    favourite: favourites.pick(random),
    cadence_days: random.int(7, 14),
    // together the business accounts take about two thirds of the workers' recent jobs
    recent_weight: random.between(18, 26),
  };
}

/**
 * `count` customers: mostly households of every standing, plus one business account per 25
 * customers (at most the twelve named above), as a marketplace's customer base looks.
 */
export function buildCustomers(random: DemoRandom, count: number, services: DemoService[]): DemoCustomer[] {
  const offered = services.filter((s) => s.is_active);
  const favourites = new WeightedTable(
    offered,
    offered.map((s) => s.popularity),
  );
  const businesses = BUSINESSES.slice(0, Math.min(BUSINESSES.length, Math.floor(count / 25))).map((b) => business(random, b, favourites));
  const households = Array.from({ length: count - businesses.length }, (_, i) => household(random, i + 1, favourites));
  return [...households, ...businesses];
}
