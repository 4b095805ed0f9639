import type { BurnoutFactor, FactorName } from './burnout-score';

/** Human words for the score's factors, for the worker's check-in prompt and the supervisor alert. */
const LABELS: Record<'bn' | 'en', Record<FactorName, string>> = {
  en: {
    hours_last_24h: 'hours worked in the last 24 hours',
    hours_last_7d: 'hours worked in the last 7 days',
    consecutive_working_days: 'working days in a row',
    late_night_jobs_7d: 'late-night jobs in the last 7 days',
    rating_drop: 'drop in average rating (stars)',
    cancellations_7d: 'jobs cancelled in the last 7 days',
    negative_feedback_7d: 'complaints or low ratings in the last 7 days',
    check_in_score: 'latest check-in answer (0-10)',
  },
  bn: {
    hours_last_24h: 'গত ২৪ ঘণ্টায় কাজের ঘণ্টা',
    hours_last_7d: 'গত ৭ দিনে কাজের ঘণ্টা',
    consecutive_working_days: 'টানা কাজের দিন',
    late_night_jobs_7d: 'গত ৭ দিনে গভীর রাতের কাজ',
    rating_drop: 'গড় রেটিং কমেছে (স্টার)',
    cancellations_7d: 'গত ৭ দিনে বাতিল কাজ',
    negative_feedback_7d: 'গত ৭ দিনে অভিযোগ বা কম রেটিং',
    check_in_score: 'সর্বশেষ অবস্থা জানানো (০-১০)',
  },
};

export function factorLabel(name: FactorName, locale: 'bn' | 'en'): string {
  return LABELS[locale][name];
}

/** "hours worked in the last 7 days: 66 (limit 60)" for each factor given. */
export function describeFactors(factors: BurnoutFactor[], locale: 'bn' | 'en'): string[] {
  const limitWord = locale === 'bn' ? 'সীমা' : 'limit';
  return factors.map((f) => `${factorLabel(f.name, locale)}: ${f.value} (${limitWord} ${f.limit})`);
}
