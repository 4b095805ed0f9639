/**
 * Common Bangladeshi given and family names in Latin and Bengali script. A message may name its
 * recipient and its service; any other person's name (a neighbour, a previous customer, the
 * worker who did the job) is someone else's personal detail. The list covers the names the
 * demo data and the marketplace's users commonly carry; honorifics and "Mr./জনাব" patterns in
 * personal-details.ts catch names outside it.
 */
export const GIVEN_NAMES_EN = [
  'Rahim', 'Karim', 'Jamal', 'Kamal', 'Sakib', 'Tanvir', 'Arif', 'Mahmud', 'Fahim', 'Rakib', 'Shafiq', 'Naim', 'Imran',
  'Hasan', 'Hassan', 'Mehedi', 'Sohel', 'Rubel', 'Anis', 'Zahid', 'Masud', 'Sumon', 'Rashed', 'Tauhid', 'Biplob', 'Amit',
  'Abdul', 'Abdur', 'Mohammad', 'Muhammad', 'Md', 'Nazmul', 'Shahid', 'Faruk', 'Habib', 'Jahid', 'Kabir', 'Mamun',
  'Milon', 'Mizan', 'Monir', 'Nasir', 'Rafiq', 'Rezaul', 'Saiful', 'Selim', 'Shamim', 'Sharif', 'Tarek', 'Yusuf',
  'Fatema', 'Fatima', 'Ayesha', 'Nusrat', 'Taslima', 'Sumaiya', 'Rumana', 'Sharmin', 'Nasrin', 'Farzana', 'Mitu',
  'Tanjila', 'Sabrina', 'Jannat', 'Riya', 'Mousumi', 'Labonno', 'Shahnaz', 'Papia', 'Tahmina', 'Suraiya', 'Rokeya',
  'Salma', 'Shirin', 'Nazma', 'Rina', 'Shila', 'Laila', 'Rehana', 'Parvin', 'Nilufar', 'Moushumi', 'Sultana',
];
export const FAMILY_NAMES_EN = [
  'Rahman', 'Hossain', 'Hussain', 'Ahmed', 'Ahmad', 'Islam', 'Chowdhury', 'Khan', 'Sarkar', 'Alam', 'Haque', 'Hoque',
  'Das', 'Roy', 'Biswas', 'Talukder', 'Sheikh', 'Bhuiyan', 'Majumder', 'Uddin', 'Mia', 'Miah', 'Akter', 'Akhter',
  'Khatun', 'Begum', 'Ali', 'Karim', 'Siddique', 'Siddiqui', 'Molla', 'Mollah', 'Sikder', 'Mondal', 'Saha', 'Dey',
];
export const GIVEN_NAMES_BN = [
  'রহিম', 'করিম', 'জামাল', 'কামাল', 'সাকিব', 'তানভীর', 'আরিফ', 'মাহমুদ', 'ফাহিম', 'রাকিব', 'শফিক', 'নাঈম', 'ইমরান',
  'হাসান', 'মেহেদী', 'সোহেল', 'রুবেল', 'আনিস', 'জাহিদ', 'মাসুদ', 'সুমন', 'রাশেদ', 'তৌহিদ', 'বিপ্লব', 'অমিত',
  'আব্দুল', 'আবদুল', 'মোহাম্মদ', 'মুহাম্মদ', 'নাজমুল', 'শহীদ', 'ফারুক', 'হাবিব', 'কবির', 'মামুন', 'মিলন', 'মিজান',
  'মনির', 'নাসির', 'রফিক', 'সাইফুল', 'সেলিম', 'শামীম', 'শরীফ', 'তারেক', 'ইউসুফ',
  'ফাতেমা', 'আয়েশা', 'নুসরাত', 'তাসলিমা', 'সুমাইয়া', 'রুমানা', 'শারমিন', 'নাসরিন', 'ফারজানা', 'মিতু', 'তানজিলা',
  'সাবরিনা', 'জান্নাত', 'রিয়া', 'মৌসুমী', 'লাবণ্য', 'শাহনাজ', 'পাপিয়া', 'তাহমিনা', 'সুরাইয়া', 'রোকেয়া', 'সালমা',
  'শিরিন', 'নাজমা', 'রিনা', 'শিলা', 'লায়লা', 'রেহানা', 'পারভীন', 'নিলুফার', 'সুলতানা',
];
export const FAMILY_NAMES_BN = [
  'রহমান', 'হোসেন', 'আহমেদ', 'ইসলাম', 'চৌধুরী', 'খান', 'সরকার', 'আলম', 'হক', 'দাস', 'রায়', 'বিশ্বাস', 'তালুকদার',
  'শেখ', 'ভূঁইয়া', 'মজুমদার', 'উদ্দিন', 'মিয়া', 'আক্তার', 'খাতুন', 'বেগম', 'আলী', 'সিদ্দিকী', 'মোল্লা', 'মন্ডল', 'সাহা',
];
