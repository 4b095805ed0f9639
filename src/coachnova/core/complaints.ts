/**
 * Spots a complaint in a customer's free-text feedback, in Bengali or English. Deliberately a
 * transparent keyword list (the coaching tip is kind either way, so a false positive costs one
 * gentle tip); the matched words are kept so the tip and the state can show why.
 */

const ENGLISH = [
  'late', 'rude', 'dirty', 'damage', 'damaged', 'broke', 'broken', 'complain', 'complaint', 'unprofessional',
  'careless', 'messy', 'overcharg', 'not clean', 'not working', 'did not finish', "didn't finish", 'incomplete',
  'poor', 'bad', 'worst', 'terrible', 'awful', 'disappoint', 'never again', 'waste', 'unhappy', 'angry', 'no show',
];

const BENGALI = [
  'দেরি', 'দেরিতে', 'খারাপ', 'বাজে', 'অভদ্র', 'নোংরা', 'ভেঙে', 'ভেঙ্গে', 'নষ্ট', 'ক্ষতি', 'অভিযোগ',
  'অসন্তুষ্ট', 'অপেশাদার', 'অসম্পূর্ণ', 'বেশি টাকা', 'হতাশ', 'রাগ', 'কাজ হয়নি', 'ঠিক হয়নি', 'পরিষ্কার হয়নি',
];

/** Phrases that mention a complaint word while praising ("not bad", "no damage"). */
const PRAISE = ['not bad', 'no damage', 'not late', 'never late', 'no complaint', 'nothing bad', 'খারাপ না', 'দেরি করেনি', 'দেরি হয়নি'];

export function complaintKeywords(feedback: string | null | undefined): string[] {
  if (!feedback) return [];
  let text = feedback.toLowerCase();
  for (const phrase of PRAISE) text = text.split(phrase).join(' ');
  const english = ENGLISH.filter((word) => new RegExp(`\\b${word}`, 'u').test(text));
  const bengali = BENGALI.filter((word) => text.includes(word));
  return [...english, ...bengali];
}
