import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config';
import { keysFor } from '../../src/security/keys';
import { signToken } from '../../src/security/tokens';
import { withApprovedPromotion } from '../../src/smartengage/core/promotion';
import { campaignSettings } from '../../src/smartengage/core/settings';
import { assertApprovedPromotion, resolveCriteria, segmentId } from '../../src/smartengage/criteria';
import { responseDecisionInsert } from '../../src/smartengage/decisions';
import { assignedFacts, composedFacts, eligibleFacts, scheduledFacts } from '../../src/smartengage/decision-facts';
import { signDeepLinkToken, verifyDeepLinkToken } from '../../src/smartengage/deep-link-token';
import { bookingLandingUrl, deepLinkTokenId } from '../../src/smartengage/deep-links';
import { funnelRates } from '../../src/smartengage/funnel';
import { linkProblemPage } from '../../src/smartengage/link-pages';
import { firstName } from '../../src/smartengage/reminder-context';
import { localDate, msUntilSendWindow, usableTimeZone } from '../../src/core/local-time';

const MIN = 60_000;
const config = loadConfig({});

describe('send windows in the customer timezone', () => {
  // 2026-11-27 12:00 UTC is 18:00 in Dhaka (UTC+6)
  const dhakaSix = new Date('2026-11-27T12:00:00Z');

  it('is open inside the window and waits until it opens otherwise', () => {
    expect(msUntilSendWindow(dhakaSix, 'Asia/Dhaka', '18:00', '20:00')).toBe(0);
    expect(msUntilSendWindow(new Date('2026-11-27T11:30:00Z'), 'Asia/Dhaka', '18:00', '20:00')).toBe(30 * MIN);
    // after the window closes: tomorrow's opening
    expect(msUntilSendWindow(new Date('2026-11-27T14:00:00Z'), 'Asia/Dhaka', '18:00', '20:00')).toBe(22 * 60 * MIN);
  });

  it('handles windows over midnight and "any time"', () => {
    expect(msUntilSendWindow(new Date('2026-11-27T17:30:00Z'), 'Asia/Dhaka', '21:00', '02:00')).toBe(0); // 23:30 local
    expect(msUntilSendWindow(new Date('2026-11-27T19:30:00Z'), 'Asia/Dhaka', '21:00', '02:00')).toBe(0); // 01:30 local
    expect(msUntilSendWindow(new Date('2026-11-27T20:30:00Z'), 'Asia/Dhaka', '21:00', '02:00')).toBe(18.5 * 60 * MIN); // 02:30 local
    expect(msUntilSendWindow(new Date('2026-11-27T20:30:00Z'), 'Asia/Dhaka', '00:00', '00:00')).toBe(0);
  });

  it('uses each customer\'s own zone', () => {
    // 12:00 UTC is 07:00 in New York: 11 hours until 18:00 there
    expect(msUntilSendWindow(dhakaSix, 'America/New_York', '18:00', '20:00')).toBe(11 * 60 * MIN);
    expect(localDate(new Date('2026-11-27T19:00:00Z'), 'Asia/Dhaka')).toBe('2026-11-28');
    expect(localDate(new Date('2026-11-27T19:00:00Z'), 'Europe/London')).toBe('2026-11-27');
    expect(usableTimeZone('Not/AZone')).toBe('Asia/Dhaka');
  });
});

describe('deep link tokens', () => {
  const secret = config;
  const claims = { tokenId: randomUUID(), customerId: randomUUID(), serviceId: randomUUID(), promoCode: 'COMEBACK10' };

  it('round-trips the signed claims', async () => {
    const expiresAt = new Date(Math.floor(Date.now() / 1000 + 3600) * 1000);
    const token = await signDeepLinkToken({ ...claims, expiresAt }, secret);
    expect(await verifyDeepLinkToken(token, secret)).toEqual({ ok: true, claims: { ...claims, expiresAt } });
  });

  it('tells expired from forged', async () => {
    const expired = await signDeepLinkToken({ ...claims, expiresAt: new Date(Date.now() - 1000) }, secret);
    expect(await verifyDeepLinkToken(expired, secret)).toEqual({ ok: false, reason: 'expired', tokenId: claims.tokenId });
    const valid = await signDeepLinkToken({ ...claims, expiresAt: new Date(Date.now() + 3600_000) }, secret);
    const [h, p, s] = valid.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), svc: randomUUID() })).toString('base64url')}.${s}`;
    expect(await verifyDeepLinkToken(tampered, secret)).toEqual({ ok: false, reason: 'invalid' });
    expect(await verifyDeepLinkToken(valid, { ...config, DEEPLINK_SECRET: 'x'.repeat(40) })).toEqual({ ok: false, reason: 'invalid' });
    expect(await verifyDeepLinkToken('garbage', secret)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('derives one token id per reminder workflow', () => {
    expect(deepLinkTokenId('reengage-a-2026-11-27')).toBe(deepLinkTokenId('reengage-a-2026-11-27'));
    expect(deepLinkTokenId('reengage-a-2026-11-27')).not.toBe(deepLinkTokenId('reengage-a-2026-11-28'));
    expect(deepLinkTokenId('x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('criteria', () => {
  it('fills defaults from configuration and names the segment by who is in it', () => {
    const a = resolveCriteria({}, config);
    expect(a).toEqual(expect.objectContaining({ booking_cadence_days: 21, send_window_start: '18:00', send_window_end: '20:00', page_size: 500, concurrency: 200 }));
    const b = resolveCriteria({ send_window_start: '09:00', concurrency: 5 }, config);
    expect(segmentId(a)).toBe(segmentId(b));
    expect(segmentId(resolveCriteria({ booking_cadence_days: 30 }, config))).not.toBe(segmentId(a));
  });

  it('greets by first name', () => {
    expect(firstName('  Karim   Hossain ')).toBe('Karim');
    expect(firstName('নুসরাত জাহান')).toBe('নুসরাত');
    // a blank name greets with nothing rather than "undefined"
    expect(firstName('   ')).toBe('');
  });
});

describe('deep link tokens: claims', () => {
  it('carries no promo claim when there is no promotion, and reads it back as null', async () => {
    const claims = { tokenId: randomUUID(), customerId: randomUUID(), serviceId: randomUUID(), promoCode: null, expiresAt: new Date(Math.floor(Date.now() / 1000 + 600) * 1000) };
    const token = await signDeepLinkToken(claims, config);
    expect(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString())).not.toHaveProperty('promo');
    expect(await verifyDeepLinkToken(token, config)).toEqual({ ok: true, claims });
  });

  it('refuses a genuinely signed deep-link token that names no service or no link id', async () => {
    const keys = keysFor(config, 'deep_link');
    const expiresAt = new Date(Date.now() + 600_000);
    const noService = await signToken(keys, 'deep_link', {}, { subject: randomUUID(), jwtId: randomUUID(), expiresAt });
    expect(await verifyDeepLinkToken(noService, config)).toEqual({ ok: false, reason: 'invalid' });
    const noId = await signToken(keys, 'deep_link', { svc: randomUUID() }, { subject: randomUUID(), expiresAt });
    expect(await verifyDeepLinkToken(noId, config)).toEqual({ ok: false, reason: 'invalid' });
  });
});

describe('where a click lands', () => {
  it('pre-fills the booking page with the service, the message and the promotion, and always carries the token', () => {
    const url = new URL(bookingLandingUrl(config, { serviceId: 'svc-1', messageId: 'msg-1', promoCode: 'EID10' }, 'tok'));
    expect(url.pathname).toBe('/book');
    expect(Object.fromEntries(url.searchParams)).toEqual({ service: 'svc-1', ref: 'msg-1', promo: 'EID10', token: 'tok' });
  });

  it('leaves out what the link does not know (a deleted service, no message yet, no promotion)', () => {
    const url = new URL(bookingLandingUrl(config, { serviceId: null, messageId: null, promoCode: null }, 'tok'));
    expect(Object.fromEntries(url.searchParams)).toEqual({ token: 'tok' });
  });

  it('explains an expired and an invalid link in Bengali and English, with the app link escaped', () => {
    const expired = linkProblemPage('expired', 'https://app.example.test/?a=1&b="x"');
    expect(expired).toContain('This link has expired');
    expect(expired).toContain('লিংকটির মেয়াদ শেষ হয়ে গেছে');
    expect(expired).toContain('href="https://app.example.test/?a=1&#38;b=&#34;x&#34;"');
    const invalid = linkProblemPage('invalid', 'https://app.example.test');
    expect(invalid).toContain('This link is not valid');
    expect(invalid).not.toContain('expired');
  });
});

describe('funnel rates', () => {
  const counts = { eligible: 200, messages: 100, sent: 80, delivered: 60, failed: 20, clicked: 20, booked: 5, replied: 3, asked_to_book: 1 };

  it('divides each step by the one before, to four decimals', () => {
    expect(funnelRates({ ...counts, sent: 3, delivered: 1, clicked: 1, booked: 0 })).toEqual({
      sent_of_eligible: 0.015,
      delivered_of_sent: 0.3333,
      clicked_of_sent: 0.3333,
      booked_of_clicked: 0,
      booked_of_sent: 0,
    });
  });

  it('says null rather than dividing by zero (nothing sent, no clicks) or by an unknown eligible count', () => {
    expect(funnelRates({ ...counts, eligible: null, sent: 0, delivered: 0, clicked: 0, booked: 0 })).toEqual({
      sent_of_eligible: null,
      delivered_of_sent: null,
      clicked_of_sent: null,
      booked_of_clicked: null,
      booked_of_sent: null,
    });
    expect(funnelRates({ ...counts, eligible: 0 }).sent_of_eligible).toBeNull();
  });
});

describe('decision facts', () => {
  const asOf = new Date('2026-12-03T12:00:00Z');
  const criteria = resolveCriteria({}, config);

  it('records a customer never booked or contacted as nulls, not as epoch dates', () => {
    const facts = eligibleFacts({ customerId: 'c', serviceId: 's', timezone: 'Asia/Dhaka', lastBookingAt: null, serviceBookings: 0, lastContactAt: null }, criteria, asOf);
    expect(facts).toMatchObject({ last_completed_booking_at: null, days_since_last_completed_booking: null, last_contact_at: null });
    const booked = eligibleFacts(
      { customerId: 'c', serviceId: 's', timezone: 'Asia/Dhaka', lastBookingAt: new Date('2026-11-01T18:00:00Z'), serviceBookings: 4, lastContactAt: new Date('2026-11-20T00:00:00Z') },
      criteria,
      asOf,
    );
    expect(booked).toMatchObject({ days_since_last_completed_booking: 31, last_contact_at: '2026-11-20T00:00:00.000Z', typical_service: { completed_bookings: 4 } });
  });

  it('gives an arm its share of the total weight, and says the holdout is not contacted', () => {
    const arms = [
      { id: '1', name: 'holdout', kind: 'holdout' as const, weight: 1, promptVersion: null, sendTime: null },
      { id: '2', name: 'llm', kind: 'llm' as const, weight: 3, promptVersion: 4, sendTime: 'personal' as const },
    ];
    expect(assignedFacts('e', arms[0], arms, asOf)).toMatchObject({ share: 0.25, contacted: false, prompt_version: null });
    expect(assignedFacts('e', arms[1], arms, asOf)).toMatchObject({ share: 0.75, contacted: true, prompt_version: 4, send_time: 'personal' });
  });

  it('adds the favourite booking hour only when the personal send time was worked out', () => {
    const base = { timezone: 'Asia/Dhaka', windowStart: '18:00', windowEnd: '20:00', now: asOf };
    const window = scheduledFacts({ ...base, sendTime: 'window', plan: { waitMs: 90_500, reason: 'window', target: '18:00' } });
    expect(window).toMatchObject({ why: expect.stringContaining('"window"'), wait_seconds: 91, send_at: '2026-12-03T12:01:30.500Z' });
    expect(window).not.toHaveProperty('favourite_booking_hour');
    const personal = scheduledFacts({ ...base, sendTime: 'personal', plan: { waitMs: 0, reason: 'favourite_hour', target: '19:00' }, favourite: { hour: 19, bookingsAtHour: 3, bookings: 5 } });
    expect(personal).toMatchObject({ favourite_booking_hour: 19, bookings_at_that_hour: 3, past_bookings: 5, target_local_time: '19:00' });
  });

  it('refuses to build a timeline entry for a response no decision records (a CoachNova acknowledgement)', () => {
    expect(() => responseDecisionInsert(sql`null`, { response: 'ACKNOWLEDGED', at: '2026-12-03T12:00:00Z' })).toThrow('no decision records a ACKNOWLEDGED response');
  });

  it('counts a draft that passed on its first attempt as one attempt with no rejections', () => {
    const composed = {
      draft: { subject: 's', body: 'b', call_to_action: 'c' },
      model: 'template',
      promptVersion: null,
      templateId: 't1',
      safetyChecks: { safe: true, checks: [{ name: 'profanity', passed: true, detail: 'x' }] },
    } as unknown as Parameters<typeof composedFacts>[0];
    expect(composedFacts(composed)).toEqual({
      model: 'template',
      prompt_version: null,
      template_id: 't1',
      fallback_reason: null,
      safety: { safe: true, attempts: 1, rejected_attempts: [], checks: [{ name: 'profanity', passed: true }] },
    });
  });
});

describe('approved promotions', () => {
  it('accepts no promotion, or a code with plain terms', () => {
    expect(() => assertApprovedPromotion({})).not.toThrow();
    expect(() => assertApprovedPromotion({ promo_code: 'EID10', promo_terms: '10% off AC servicing with EID10' })).not.toThrow();
  });

  it('refuses terms without a code with a 422 naming the failed check', () => {
    let thrown: unknown;
    try {
      assertApprovedPromotion({ promo_terms: '10% off' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ status: 422, code: 'invalid_promotion', details: { failed_checks: [expect.objectContaining({ name: 'promo_code_missing' })] } });
  });

  it('puts the promotion into a reminder\'s context only when there is a code, and the terms only when given', () => {
    const context = { first_name: 'Rahim' } as unknown as Parameters<typeof withApprovedPromotion>[0];
    expect(withApprovedPromotion(context, { promoCode: null })).toBe(context);
    expect(withApprovedPromotion(context, { promoCode: 'EID10' })).toEqual({ first_name: 'Rahim', promo_code: 'EID10' });
    expect(withApprovedPromotion(context, { promoCode: 'EID10', promoTerms: '10% off' })).toEqual({ first_name: 'Rahim', promo_code: 'EID10', promo_terms: '10% off' });
  });

  it('carries promo terms and a send time into the campaign settings only when the criteria have them', () => {
    const plain = campaignSettings(resolveCriteria({}, config), config).reengagement;
    expect(plain).not.toHaveProperty('promoTerms');
    expect(plain).not.toHaveProperty('sendTime');
    const full = campaignSettings(resolveCriteria({ promo_code: 'EID10', promo_terms: '10% off', send_time: 'personal' }, config), config).reengagement;
    expect(full).toMatchObject({ promoCode: 'EID10', promoTerms: '10% off', sendTime: 'personal' });
    // terms without a code are never carried (the API refuses them before)
    expect(campaignSettings({ ...resolveCriteria({}, config), promo_code: undefined, promo_terms: '10% off' }, config).reengagement).not.toHaveProperty('promoTerms');
  });
});
