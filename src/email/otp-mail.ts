import type { Locale } from '../db/types';
import type { OutgoingMail } from './mailer';

export interface OtpMailInput {
  to: string;
  code: string;
  fullName: string;
  locale: Locale;
  ttlSeconds: number;
}

const BN_DIGITS = '০১২৩৪৫৬৭৮৯';
const toBengaliDigits = (value: string | number) => String(value).replace(/\d/g, (d) => BN_DIGITS[Number(d)]);

function bengaliText({ code, fullName, ttlSeconds }: OtpMailInput): string {
  const minutes = toBengaliDigits(Math.max(1, Math.round(ttlSeconds / 60)));
  return [
    `প্রিয় ${fullName},`,
    '',
    `আপনার ShoktiAI লগইন কোড: ${code}`,
    `কোডটি ${minutes} মিনিট পর্যন্ত বৈধ এবং একবারই ব্যবহার করা যাবে।`,
    'কোডটি কাউকে জানাবেন না; আমরা কখনো আপনার কাছে কোড চাইব না।',
    'আপনি লগইন করার চেষ্টা না করে থাকলে এই ইমেইলটি উপেক্ষা করুন।',
  ].join('\n');
}

function englishText({ code, fullName, ttlSeconds }: OtpMailInput): string {
  const minutes = Math.max(1, Math.round(ttlSeconds / 60));
  return [
    `Dear ${fullName},`,
    '',
    `Your ShoktiAI login code: ${code}`,
    `It is valid for ${minutes} minutes and works once.`,
    'Never share this code; we will never ask you for it.',
    'If you did not try to sign in, you can ignore this email.',
  ].join('\n');
}

/**
 * The login-code email, in both languages with the recipient's own language first. The code
 * stays out of the subject so it does not show on lock screens and in mail previews.
 */
export function otpMail(input: OtpMailInput): OutgoingMail {
  const bn = bengaliText(input);
  const en = englishText(input);
  const [first, second] = input.locale === 'en' ? [en, bn] : [bn, en];
  return {
    to: input.to,
    subject: input.locale === 'en' ? 'Your ShoktiAI login code / আপনার লগইন কোড' : 'আপনার ShoktiAI লগইন কোড / Your login code',
    text: `${first}\n\n----------------------------------------\n\n${second}\n`,
  };
}
