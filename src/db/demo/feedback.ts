import type { DemoRandom } from './random';

/** What customers write after a job, by how it went; Bengali and English as customers write. */
const FEEDBACK = {
  praise: [
    'খুব ভালো কাজ করেছেন, সময়মতো এসেছেন।',
    'অসাধারণ সার্ভিস, আবার নেব।',
    'ভাই খুব যত্ন নিয়ে কাজ করেছেন, ধন্যবাদ।',
    'Very professional and tidy work.',
    'On time, polite and quick. Thank you!',
  ],
  fine: ['কাজ ভালো হয়েছে, ধন্যবাদ।', 'মোটামুটি ভালো।', 'Good job overall.', 'Fine, but took longer than expected.'],
  slipping: [
    'কাজ ঠিক আছে কিন্তু তাড়াহুড়ো করেছেন।',
    'কয়েক জায়গায় ময়লা রয়ে গেছে।',
    'Okay, but missed a few spots.',
    'The worker looked tired and rushed the job.',
  ],
  poor: [
    'অনেক দেরিতে এসেছেন, কাজও ঠিকমতো হয়নি।',
    'কাজ অসম্পূর্ণ রেখে চলে গেছেন।',
    'Arrived very late and seemed exhausted.',
    'Had to call again because the problem came back the same day.',
  ],
  complaint: [
    'অভিযোগ: কর্মী খারাপ ব্যবহার করেছেন এবং কাজ শেষ করেননি।',
    'Complaint: the worker was rude and left the job unfinished.',
  ],
} as const;

export type FeedbackTone = keyof typeof FEEDBACK;

/** Feedback for a rating; most customers leave none, more of them when unhappy. */
export function feedbackFor(random: DemoRandom, rating: number | null): string | null {
  if (rating === null) return null;
  if (rating >= 5) return random.chance(0.35) ? random.pick(FEEDBACK.praise) : null;
  if (rating === 4) return random.chance(0.3) ? random.pick(FEEDBACK.fine) : null;
  if (rating === 3) return random.chance(0.6) ? random.pick(FEEDBACK.slipping) : null;
  return random.chance(0.8) ? random.pick(FEEDBACK.poor) : null;
}

export function complaint(random: DemoRandom): string {
  return random.pick(FEEDBACK.complaint);
}
