import type { Locale } from '../types';
import type { DemoRandom } from './random';

/** A name in Bengali script and its usual Latin spelling. */
type Name = readonly [bn: string, en: string];

const MALE: readonly Name[] = [
  ['রহিম', 'Rahim'], ['করিম', 'Karim'], ['জামাল', 'Jamal'], ['কামাল', 'Kamal'], ['সাকিব', 'Sakib'],
  ['তানভীর', 'Tanvir'], ['আরিফ', 'Arif'], ['মাহমুদ', 'Mahmud'], ['ফাহিম', 'Fahim'], ['রাকিব', 'Rakib'],
  ['শফিক', 'Shafiq'], ['নাঈম', 'Naim'], ['ইমরান', 'Imran'], ['হাসান', 'Hasan'], ['মেহেদী', 'Mehedi'],
  ['সোহেল', 'Sohel'], ['রুবেল', 'Rubel'], ['আনিস', 'Anis'], ['জাহিদ', 'Zahid'], ['মাসুদ', 'Masud'],
  ['সুমন', 'Sumon'], ['রাশেদ', 'Rashed'], ['তৌহিদ', 'Tauhid'], ['বিপ্লব', 'Biplob'], ['অমিত', 'Amit'],
];
const FEMALE: readonly Name[] = [
  ['ফাতেমা', 'Fatema'], ['আয়েশা', 'Ayesha'], ['নুসরাত', 'Nusrat'], ['তাসলিমা', 'Taslima'], ['সুমাইয়া', 'Sumaiya'],
  ['রুমানা', 'Rumana'], ['শারমিন', 'Sharmin'], ['নাসরিন', 'Nasrin'], ['ফারজানা', 'Farzana'], ['মিতু', 'Mitu'],
  ['তানজিলা', 'Tanjila'], ['সাবরিনা', 'Sabrina'], ['জান্নাত', 'Jannat'], ['রিয়া', 'Riya'], ['মৌসুমী', 'Mousumi'],
  ['লাবণ্য', 'Labonno'], ['শাহনাজ', 'Shahnaz'], ['পাপিয়া', 'Papia'], ['তাহমিনা', 'Tahmina'], ['সুরাইয়া', 'Suraiya'],
];
const FAMILY: readonly Name[] = [
  ['রহমান', 'Rahman'], ['হোসেন', 'Hossain'], ['আহমেদ', 'Ahmed'], ['ইসলাম', 'Islam'], ['চৌধুরী', 'Chowdhury'],
  ['খান', 'Khan'], ['সরকার', 'Sarkar'], ['আলম', 'Alam'], ['হক', 'Haque'], ['দাস', 'Das'], ['রায়', 'Roy'],
  ['বিশ্বাস', 'Biswas'], ['তালুকদার', 'Talukder'], ['শেখ', 'Sheikh'], ['ভূঁইয়া', 'Bhuiyan'], ['মজুমদার', 'Majumder'],
];
const MALE_ONLY_FAMILY: readonly Name[] = [['উদ্দিন', 'Uddin'], ['মিয়া', 'Mia']];
const FEMALE_ONLY_FAMILY: readonly Name[] = [['আক্তার', 'Akter'], ['খাতুন', 'Khatun'], ['বেগম', 'Begum']];

/** Reserved example domains only: demo addresses can never reach a real inbox. */
const EMAIL_DOMAINS = ['example.com', 'mail.example.com', 'example.org', 'example.net'] as const;
const MOBILE_OPERATOR_DIGITS = ['3', '4', '5', '6', '7', '8', '9'] as const;

export interface DemoPerson {
  full_name: string;
  email: string;
  phone: string;
}

/**
 * A Bangladeshi person: the name in Bengali script for Bengali-speaking users and in Latin
 * letters for English ones, a unique address (the serial keeps it unique) and a mobile number
 * in E.164 form (+880 1X XXXX XXXX).
 */
export function makePerson(random: DemoRandom, serial: number, locale: Locale, emailPrefix = ''): DemoPerson {
  const female = random.chance(0.5);
  const given = random.pick(female ? FEMALE : MALE);
  const family = random.pick([...FAMILY, ...(female ? FEMALE_ONLY_FAMILY : MALE_ONLY_FAMILY)]);
  const full_name = locale === 'bn' ? `${given[0]} ${family[0]}` : `${given[1]} ${family[1]}`;
  const local = `${emailPrefix}${given[1]}.${family[1]}.${String(serial).padStart(3, '0')}`.toLowerCase();
  const email = `${local}@${random.pick(EMAIL_DOMAINS)}`;
  const subscriber = Array.from({ length: 8 }, () => random.int(0, 9)).join('');
  const phone = `+8801${random.pick(MOBILE_OPERATOR_DIGITS)}${subscriber}`;
  return { full_name, email, phone };
}
