import { languageRule } from '../../src/safety/language';
import { lengthRule } from '../../src/safety/length';
import { findLinks } from '../../src/safety/links';
import { findPii } from '../../src/safety/pii';
import { findPlaceholders } from '../../src/safety/placeholders';
import { findProfanity } from '../../src/safety/profanity';
import { runLocalRules } from '../../src/safety/rules';
import { asciiDigits } from '../../src/safety/text';

const bnDraft = {
  subject: 'আবার বুক করার সময় হয়েছে',
  body: 'প্রিয় রহিম, আপনার শেষ এসি সার্ভিসিং সেবার পর ২১ দিন কেটে গেছে। সুবিধামতো সময়ে আবার বুক করুন। ধন্যবাদ!',
  call_to_action: 'এখনই বুক করুন',
};
const enDraft = {
  subject: 'Time for your next AC servicing?',
  body: 'Hi Rahim, it has been 21 days since your last AC servicing. Book again whenever you like, between 6:00 and 8:00 pm. Thank you!',
  call_to_action: 'Book now',
};

describe('profanity', () => {
  it.each([
    ['English swear word', 'This is shit service', ['shit']],
    ['capitalised', 'What the FUCK', ['FUCK']],
    ['leetspeak', 'you are a b1tch', ['b1tch']],
    ['starred', 'f**k this', ['f**k']],
    ['insult', 'Don’t be an idiot', ['idiot']],
    ['romanised Bengali', 'tui ekta harami', ['harami']],
    ['Bengali word', 'তুই একটা হারামি', ['হারামি']],
    ['Bengali inflected', 'শালার কাজ', ['শালার']],
    ['Bengali with zero-width joiner', 'কুত্\u200Dতা', ['কুত্তা']],
  ])('%s is caught', (_label, text, expected) => {
    expect(findProfanity(text)).toEqual(expected);
  });

  it.each([
    ['Scunthorpe problem', 'Deliveries to Scunthorpe and Essex'],
    ['assessment contains "ass"', 'Your assessment is ready; class starts at nine'],
    ['Bengali word containing a listed stem (বালতি = bucket)', 'বালতি আর বালিশ পরিষ্কার করা হয়েছে'],
    ['clean Bengali', bnDraft.body],
    ['clean English', enDraft.body],
  ])('%s passes', (_label, text) => {
    expect(findProfanity(text)).toEqual([]);
  });
});

describe('PII', () => {
  it.each([
    ['Bangladeshi mobile', 'Call 01712345678 now', 'phone'],
    ['Bangladeshi mobile with country code', 'WhatsApp +8801712345678', 'phone'],
    ['spaced mobile', 'ফোন করুন 017 1234 5678', 'phone'],
    ['Bengali digits', 'ফোন করুন ০১৭১২৩৪৫৬৭৮ নম্বরে', 'phone'],
    ['Bengali digits with +৮৮', 'যোগাযোগ +৮৮০১৯১১২২৩৩৪৪', 'phone'],
    ['foreign number', 'Call +44 20 7946 0958', 'phone'],
    ['email address', 'write to rahim.uddin@example.com', 'email'],
    ['NID-like number', 'NID 1990123456789 verified', 'id_number'],
    ['mobile next to a date', 'on 27-11-2026 call 01712345678', 'phone'],
  ])('%s is caught', (_label, text, kind) => {
    expect(findPii(text).map((f) => f.kind)).toContain(kind);
  });

  it.each([
    ['days and prices', 'It has been 21 days; the service costs 1500 taka'],
    ['a date', 'See you on 2026-11-27 at 18:00'],
    ['a date followed by a time', 'Your booking: 27-11-2026 18:00 to 20:30'],
    ['a Bengali date and time', 'বুকিং ২৭/১১/২০২৬ ১৮:৩০ এ'],
    ['a check-in scale in Bengali digits', '০ থেকে ১০ এর মধ্যে জানাবেন'],
  ])('%s passes', (_label, text) => {
    expect(findPii(text)).toEqual([]);
  });

  it('never repeats the number itself in the finding detail', () => {
    const [result] = runLocalRules({ ...enDraft, body: 'Call 01712345678' }, 'en').filter((r) => r.name === 'pii');
    expect(result.passed).toBe(false);
    expect(result.detail).not.toContain('01712345678');
  });
});

describe('links', () => {
  it.each([
    ['https URL', 'Book at https://evil.example/offer'],
    ['http URL', 'see http://127.0.0.1:8080/x'],
    ['www', 'Visit www.cheap-ac.net today'],
    ['bare domain', 'Visit bit.ly/abc for a discount'],
    ['bare .bd domain', 'আমাদের সাইট sheba-deals.com.bd দেখুন'],
    ['spelled-out dot com', 'go to cheapac dot com'],
    ['Bengali spelled-out dot com', 'চিপএসি ডট কম এ যান'],
    ['whatsapp scheme', 'whatsapp://send?phone=1'],
  ])('%s is rejected', (_label, text) => {
    expect(findLinks(text).length).toBeGreaterThan(0);
  });

  it.each([
    ['sentence ends without space', 'Thank you. In the evening we are free.'],
    ['abbreviations', 'e.g. the A.C. unit, 6 p.m.'],
    ['clean Bengali', bnDraft.body],
  ])('%s passes', (_label, text) => {
    expect(findLinks(text)).toEqual([]);
  });
});

describe('placeholders', () => {
  it.each([
    ['mustache', 'Hi {{first_name}}'],
    ['single brace', 'Hi {name}'],
    ['square brackets', 'Dear [Customer Name],'],
    ['Bengali square brackets', 'প্রিয় [নাম],'],
    ['angle brackets', 'Hello <name>'],
    ['template literal', 'Hi ${name}'],
    ['XXX blank', 'Your code is XXXX'],
    ['underscore blank', 'Dear ____,'],
  ])('%s is caught', (_label, text) => {
    expect(findPlaceholders(text).length).toBeGreaterThan(0);
  });

  it('passes filled text', () => {
    expect(findPlaceholders(`${enDraft.body} ${bnDraft.body}`)).toEqual([]);
  });
});

describe('length', () => {
  it.each([
    ['subject over 150', { ...enDraft, subject: 'a'.repeat(151) }, 'subject has 151'],
    ['body over 1200', { ...enDraft, body: 'b'.repeat(1201) }, 'body has 1201'],
    ['call to action over 60', { ...enDraft, call_to_action: 'c'.repeat(61) }, 'call_to_action has 61'],
    ['empty body', { ...enDraft, body: '   ' }, 'body is empty'],
  ])('%s fails', (_label, draft, detail) => {
    const result = lengthRule(draft);
    expect(result.passed).toBe(false);
    expect(result.detail).toContain(detail);
  });

  it('passes at the limits, counting Bengali characters', () => {
    expect(lengthRule({ subject: 'ক'.repeat(150), body: 'খ'.repeat(1200), call_to_action: 'গ'.repeat(60) }).passed).toBe(true);
  });
});

describe('language', () => {
  it.each([
    ['English text for a Bengali recipient', enDraft.body, 'bn', false],
    ['Bengali text for an English recipient', bnDraft.body, 'en', false],
    ['half-and-half for bn', 'Hello Rahim, your service is due. আবার বুক করুন', 'bn', false],
    ['Bengali text for bn', bnDraft.body, 'bn', true],
    ['English text for en', enDraft.body, 'en', true],
  ] as const)('%s', (_label, text, locale, passed) => {
    expect(languageRule(text, locale).passed).toBe(passed);
  });

  it('does not count allowed names written in Latin script against Bengali', () => {
    const text = 'প্রিয় Abdur Rahman Chowdhury, আপনার AC Servicing এর সময় হয়েছে';
    expect(languageRule(text, 'bn').passed).toBe(false);
    expect(languageRule(text, 'bn', ['Abdur Rahman Chowdhury', 'AC Servicing']).passed).toBe(true);
  });
});

describe('all local rules', () => {
  it.each([
    ['Bengali', bnDraft, 'bn'],
    ['English', enDraft, 'en'],
  ] as const)('a clean %s draft passes every rule, each recorded', (_label, draft, locale) => {
    const results = runLocalRules(draft, locale);
    expect(results.map((r) => r.name)).toEqual([
      'profanity', 'pii', 'links', 'placeholders', 'length', 'language', 'injection', 'manipulation', 'offers', 'personal_details', 'grounding',
    ]);
    expect(results.filter((r) => !r.passed)).toEqual([]);
    // without a context the context rules say so rather than pass silently
    expect(results.filter((r) => r.skipped).map((r) => r.name)).toEqual(['offers', 'personal_details', 'grounding']);
  });

  it('names every failed rule', () => {
    const draft = { subject: 'Hi [name]', body: 'Call 01712345678 or visit www.x.com, you idiot', call_to_action: 'Go' };
    const failed = runLocalRules(draft, 'en').filter((r) => !r.passed).map((r) => r.name);
    expect(failed).toEqual(['profanity', 'pii', 'links', 'placeholders']);
  });

  it('reads Bengali digits as ASCII', () => {
    expect(asciiDigits('০১৭১২৩৪৫৬৭৮')).toBe('01712345678');
  });
});
