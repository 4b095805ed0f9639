import { randomInt, randomUUID } from 'node:crypto';
import type { ParsedMail } from 'mailparser';
import { sql } from 'kysely';
import { verifyAccessToken } from '../../src/auth/jwt';
import { hashOtp } from '../../src/auth/otp';
import { keysFor } from '../../src/security/keys';
import type { UserRole } from '../../src/db/types';
import type { Server } from 'node:http';
import { createApp } from '../../src/api/app';
import { createLogger } from '../../src/lib/logger';
import { getJson, postJson } from '../helpers/http';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { eventually } from '../helpers/wait';

const IP_LIMIT = 8;
const GUESS_CEILING = 12;
let system: TestSystem;

beforeAll(async () => {
  system = await startTestSystem({ worker: false, env: { OTP_IP_REQUESTS_PER_WINDOW: String(IP_LIMIT), OTP_MAX_GUESSES_PER_EMAIL: String(GUESS_CEILING) } });
});
afterAll(async () => {
  await system.stop();
});

/**
 * A client address of its own for each caller: the API trusts X-Forwarded-For from loopback,
 * so tests sharing one server do not share per-IP rate-limit counters.
 */
const newClientIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

async function createUser(role: UserRole = 'customer', locale: 'bn' | 'en' = 'bn') {
  const email = `user-${randomUUID()}@example.com`;
  const user = await system.db
    .insertInto('users')
    .values({ email, full_name: 'রহিম উদ্দিন', role, locale })
    .returning(['id', 'email'])
    .executeTakeFirstOrThrow();
  return user;
}

function requestOtp(email: unknown, ip = newClientIp()) {
  return postJson(`${system.baseUrl}/auth/request-otp`, { email }, { 'x-forwarded-for': ip });
}

function verifyOtp(email: string, otp: string, ip = newClientIp()) {
  return postJson(`${system.baseUrl}/auth/verify-otp`, { email, otp }, { 'x-forwarded-for': ip });
}

const mailsTo = (email: string): ParsedMail[] =>
  system.smtp.messages.filter((m) => [m.to].flat().some((a) => a?.value.some((v) => v.address === email)));

/** Waits for the `n`-th login mail to `email` and reads the code out of it. */
async function codeFromMail(email: string, n = 1): Promise<string> {
  const mail = await eventually(async () => mailsTo(email)[n - 1], 10_000, 50);
  const code = /\b(\d{6})\b/.exec(mail.text ?? '')?.[1];
  if (!code) throw new Error(`no code in mail: ${mail.text}`);
  return code;
}

async function loginCodeFor(email: string): Promise<string> {
  expect((await requestOtp(email)).status).toBe(202);
  return codeFromMail(email);
}

describe('POST /auth/request-otp', () => {
  it('emails a 6-digit code to a known user and stores only its keyed hash', async () => {
    const user = await createUser('customer', 'en');
    const res = await requestOtp(user.email);
    expect(res.status).toBe(202);
    expect(res.headers.get('x-correlation-id')).toBeTruthy();

    const code = await codeFromMail(user.email);
    const [mail] = mailsTo(user.email);
    expect(mail.subject).not.toContain(code);
    expect(mail.text).toContain('Your ShoktiAI login code');

    const rows = await system.db.selectFrom('otp_codes').selectAll().where('email', '=', user.email).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0].code_hash).toBe(hashOtp(keysFor(system.config, 'otp').signing.key, user.email, code));
    expect(JSON.stringify(rows)).not.toContain(code);
    const ttlMs = new Date(rows[0].expires_at).getTime() - new Date(rows[0].created_at).getTime();
    expect(Math.abs(ttlMs - system.config.OTP_TTL_SECONDS * 1000)).toBeLessThan(5_000);
  });

  it('answers an unknown address exactly like a known one and mails nothing to it', async () => {
    const known = await createUser();
    const unknown = `nobody-${randomUUID()}@example.com`;
    const forUnknown = await requestOtp(unknown);
    const forKnown = await requestOtp(known.email);
    expect(forUnknown.status).toBe(forKnown.status);
    expect(forUnknown.body).toEqual(forKnown.body);
    expect(forUnknown.headers.get('content-type')).toBe(forKnown.headers.get('content-type'));

    await codeFromMail(known.email);
    expect(mailsTo(unknown)).toHaveLength(0);
    // verification of an unknown address behaves like a wrong code, never like "no account"
    const guess = await verifyOtp(unknown, '123456');
    expect(guess.status).toBe(401);
    expect(guess.body.error.code).toBe('otp_invalid');
  });

  it('does not mail an inactive user', async () => {
    const user = await createUser();
    await system.db.updateTable('users').set({ is_active: false }).where('id', '=', user.id).execute();
    const active = await createUser();
    expect((await requestOtp(user.email)).status).toBe(202);
    await loginCodeFor(active.email);
    expect(mailsTo(user.email)).toHaveLength(0);
  });

  it('names the missing or invalid field in a 422', async () => {
    const missing = await postJson(`${system.baseUrl}/auth/request-otp`, {}, { 'x-forwarded-for': newClientIp() });
    expect(missing.status).toBe(422);
    expect(missing.body.error.code).toBe('validation_failed');
    expect(missing.body.error.details).toEqual([expect.objectContaining({ path: 'email' })]);
    expect(missing.body.correlation_id).toBe(missing.headers.get('x-correlation-id'));

    const invalid = await requestOtp('not-an-email');
    expect(invalid.status).toBe(422);
    expect(invalid.body.error.message).toContain('email');
  });

  it('caps live codes per address without telling anyone: a request beyond is answered alike but not mailed', async () => {
    const user = await createUser();
    const limit = system.config.OTP_REQUESTS_PER_WINDOW;
    // a third party asks for codes for the user's address from many IPs
    for (let i = 0; i < limit; i++) expect((await requestOtp(user.email)).status).toBe(202);
    await codeFromMail(user.email, limit);
    const beyond = await requestOtp(user.email);
    expect(beyond.status).toBe(202);
    expect(beyond.body).toEqual((await requestOtp(`nobody-${randomUUID()}@example.com`)).body);
    await new Promise((r) => setTimeout(r, 300));
    expect(mailsTo(user.email)).toHaveLength(limit);
    // no lock-out: the owner signs in with any code in the inbox, the first as well as the last
    expect((await verifyOtp(user.email, await codeFromMail(user.email, 1))).status).toBe(200);
  });

  it('shares its counters with every API process through PostgreSQL', async () => {
    const other = createApp({ config: system.config, db: system.db, temporal: system.client, mailer: system.mailer, logger: createLogger('silent') });
    const server: Server = await new Promise((resolve) => {
      const s = other.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const otherUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const ip = newClientIp();
      for (let i = 0; i < IP_LIMIT; i++) {
        const url = i % 2 === 0 ? system.baseUrl : otherUrl;
        expect((await postJson(`${url}/auth/request-otp`, { email: `spray-${randomUUID()}@example.com` }, { 'x-forwarded-for': ip })).status).toBe(202);
      }
      for (const url of [system.baseUrl, otherUrl]) {
        expect((await postJson(`${url}/auth/request-otp`, { email: `spray-${randomUUID()}@example.com` }, { 'x-forwarded-for': ip })).status).toBe(429);
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await other.drainBackground();
    }
  });

  it('limits code requests per client IP, whichever email is asked for', async () => {
    const ip = newClientIp();
    for (let i = 0; i < IP_LIMIT; i++) expect((await requestOtp(`spray-${randomUUID()}@example.com`, ip)).status).toBe(202);
    const limited = await requestOtp(`spray-${randomUUID()}@example.com`, ip);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeTruthy();
    expect(limited.body.error.details.policy).toBe('otp-request-ip');
    expect((await requestOtp(`spray-${randomUUID()}@example.com`, newClientIp())).status).toBe(202);
  });
});

describe('POST /auth/verify-otp', () => {
  it('turns the mailed code into a bearer JWT for the user', async () => {
    const user = await createUser('customer', 'en');
    // addresses match case-insensitively in both steps
    expect((await requestOtp(user.email.toUpperCase())).status).toBe(202);
    const code = await codeFromMail(user.email);
    const res = await verifyOtp(` ${user.email.replace('user', 'USER')}`, code);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: system.config.JWT_TTL_SECONDS,
      user: { id: user.id, email: user.email, full_name: 'রহিম উদ্দিন', role: 'customer', locale: 'en' },
    });
    const claims = await verifyAccessToken(res.body.access_token, system.config);
    expect(claims).toEqual({ sub: user.id, role: 'customer', email: user.email });
    const row = await system.db.selectFrom('otp_codes').select('consumed_at').where('email', '=', user.email).executeTakeFirstOrThrow();
    expect(row.consumed_at).not.toBeNull();
  });

  it("gives an operator a token that opens /internal/*, and a customer's token does not", async () => {
    const operator = await createUser('operator');
    const customer = await createUser('customer');
    const operatorToken = (await verifyOtp(operator.email, await loginCodeFor(operator.email))).body.access_token;
    const customerToken = (await verifyOtp(customer.email, await loginCodeFor(customer.email))).body.access_token;

    const probe = `${system.baseUrl}/internal/analytics/smartengage`;
    expect((await getJson(probe)).status).toBe(401);
    expect((await getJson(probe, { authorization: `Bearer ${customerToken}` })).status).toBe(403);
    const asOperator = await getJson(probe, { authorization: `Bearer ${operatorToken}` });
    expect([401, 403]).not.toContain(asOperator.status);
  });

  it('answers a wrong code with 401 and the attempts left', async () => {
    const user = await createUser();
    const code = await loginCodeFor(user.email);
    const wrong = code === '000000' ? '000001' : '000000';
    const res = await verifyOtp(user.email, wrong);
    expect(res.status).toBe(401);
    expect(res.body.error).toEqual({ code: 'otp_invalid', message: expect.any(String), details: { attempts_left: system.config.OTP_MAX_ATTEMPTS - 1 } });
    // a wrong try does not spend the code
    expect((await verifyOtp(user.email, code)).status).toBe(200);
  });

  it("stops a guesser after the fifth wrong try with 429, without burning the owner's code", async () => {
    const user = await createUser();
    const code = await loginCodeFor(user.email);
    const wrong = code === '999999' ? '999998' : '999999';
    const max = system.config.OTP_MAX_ATTEMPTS;
    const attacker = newClientIp();
    const statuses: number[] = [];
    for (let i = 0; i < max; i++) statuses.push((await verifyOtp(user.email, wrong, attacker)).status);
    expect(statuses).toEqual([...Array(max - 1).fill(401), 429]);
    const afterwards = await verifyOtp(user.email, code, attacker);
    expect(afterwards.status).toBe(429);
    expect(afterwards.body.error.code).toBe('otp_attempts_exceeded');
    // the owner, from their own address, still signs in with the code they were mailed
    expect((await verifyOtp(user.email, code, newClientIp())).status).toBe(200);
  });

  it('never lets more than the allowed number of guesses through, even in parallel', async () => {
    const user = await createUser();
    const code = await loginCodeFor(user.email);
    const attacker = newClientIp();
    const wrongCodes = Array.from({ length: 12 }, (_, i) => String((Number(code) + i + 1) % 1_000_000).padStart(6, '0'));
    const results = await Promise.all(wrongCodes.map((c) => verifyOtp(user.email, c, attacker)));
    expect(results.filter((r) => r.status === 401)).toHaveLength(system.config.OTP_MAX_ATTEMPTS - 1);
    expect(results.filter((r) => r.status === 429)).toHaveLength(12 - (system.config.OTP_MAX_ATTEMPTS - 1));
    expect((await verifyOtp(user.email, code)).status).toBe(200);
  });

  it('bounds a distributed brute force by a ceiling per address over all guessers', async () => {
    const user = await createUser();
    const code = await loginCodeFor(user.email);
    const wrong = code === '999999' ? '999998' : '999999';
    const ceiling = GUESS_CEILING;
    const perIp = system.config.OTP_MAX_ATTEMPTS - 1;
    let made = 0;
    while (made < ceiling) {
      const ip = newClientIp();
      for (let i = 0; i < perIp && made < ceiling; i++, made++) expect((await verifyOtp(user.email, wrong, ip)).status).toBe(401);
    }
    expect((await verifyOtp(user.email, wrong, newClientIp())).status).toBe(429);
  });

  it('does not let one guesser reach the per-address ceiling alone', async () => {
    const user = await createUser();
    const code = await loginCodeFor(user.email);
    const attacker = newClientIp();
    for (let i = 0; i < GUESS_CEILING * 2; i++) await verifyOtp(user.email, code === '000000' ? '000001' : '000000', attacker);
    expect((await verifyOtp(user.email, code, newClientIp())).status).toBe(200);
  });

  it('accepts a code once: reuse is a 401, and of two racing requests exactly one wins', async () => {
    const user = await createUser();
    const code = await loginCodeFor(user.email);
    const raced = await Promise.all([verifyOtp(user.email, code), verifyOtp(user.email, code), verifyOtp(user.email, code)]);
    expect(raced.map((r) => r.status).sort()).toEqual([200, 401, 401]);
    const reused = await verifyOtp(user.email, code);
    expect(reused.status).toBe(401);
    expect(reused.body.error.code).toBe('otp_invalid');
  });

  it('rejects an expired code with 401', async () => {
    const user = await createUser();
    const code = await loginCodeFor(user.email);
    await system.db
      .updateTable('otp_codes')
      .set({ expires_at: sql<Date>`now() - interval '1 second'` })
      .where('email', '=', user.email)
      .execute();
    const res = await verifyOtp(user.email, code);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('otp_expired');
  });

  it("keeps the owner's code valid when someone else requests another, and a login spends them all", async () => {
    const user = await createUser();
    const first = await loginCodeFor(user.email);
    expect((await requestOtp(user.email)).status).toBe(202);
    const second = await codeFromMail(user.email, 2);
    expect((await verifyOtp(user.email, first)).status).toBe(200);
    if (first !== second) expect((await verifyOtp(user.email, second)).status).toBe(401);
  });

  it('names the malformed field in a 422', async () => {
    const res = await verifyOtp(`x-${randomUUID()}@example.com`, '12ab');
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'otp' })]);
    const missing = await postJson(`${system.baseUrl}/auth/verify-otp`, { otp: '123456' }, { 'x-forwarded-for': newClientIp() });
    expect(missing.status).toBe(422);
    expect(missing.body.error.details).toEqual([expect.objectContaining({ path: 'email' })]);
  });
});

describe('OpenAPI', () => {
  it('documents the auth endpoints with their schemas', async () => {
    const doc = (await getJson(`${system.baseUrl}/openapi.json`)).body;
    expect(doc.paths['/auth/request-otp'].post.responses['202']).toBeDefined();
    expect(doc.paths['/auth/verify-otp'].post.responses['200']).toBeDefined();
    expect(doc.components.schemas.AccessToken.properties.token_type).toBeDefined();
  });
});
