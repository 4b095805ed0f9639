import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config';
import { resolveCriteria, segmentId } from '../../src/smartengage/criteria';
import { signDeepLinkToken, verifyDeepLinkToken } from '../../src/smartengage/deep-link-token';
import { deepLinkTokenId } from '../../src/smartengage/deep-links';
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
  });
});
