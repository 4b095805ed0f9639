import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { signAccessToken } from '../src/auth/jwt';
import type { Config } from '../src/config';
import type { Db } from '../src/db/database';
import type { UserRole } from '../src/db/types';
import { createUnsubscribeToken } from '../src/messaging/unsubscribe-token';
import { createDeepLink } from '../src/smartengage/deep-links';
import { keysFor } from '../src/security/keys';
import { signToken, type TokenPurpose } from '../src/security/tokens';

/**
 * The people and things the authorization matrix and the fuzzer act on, made in the caller's own
 * schema: two customers (A "own", B "another's"), two workers, an operator, a service, a message
 * to each person, a booking of each customer, a deep link and an unsubscribe link of each
 * customer — and every kind of token an attacker might present, genuine or forged.
 */
export interface Person {
  id: string;
  email: string;
  token: string;
}

export interface World {
  config: Config;
  serviceId: string;
  customerA: Person;
  customerB: Person;
  worker1: Person;
  worker2: Person;
  operator: Person;
  messages: { customerA: string; customerB: string; worker1: string; worker2: string };
  /** Booking of customer A worked by worker 1, and of customer B worked by worker 2. */
  bookings: { customerA: string; customerB: string };
  deepLinks: { customerA: string; customerB: string };
  unsubscribe: { customerA: string; customerB: string };
  apiKey: string;
}

async function person(db: Db, config: Config, role: UserRole): Promise<Person> {
  const email = `${role}-${randomUUID()}@example.test`;
  const user = await db
    .insertInto('users')
    .values({ email, full_name: `Fuzz ${role}`, role, locale: 'en', timezone: 'Asia/Dhaka', consent: JSON.stringify({ marketing: true }) })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (role === 'customer') await db.insertInto('customers').values({ id: user.id }).execute();
  if (role === 'worker') await db.insertInto('workers').values({ id: user.id, skills: ['AC_REPAIR'], supervisor_email: null }).execute();
  return { id: user.id, email, token: await signAccessToken({ sub: user.id, role, email }, config, 3600) };
}

async function message(db: Db, userId: string, role: 'CUSTOMER' | 'WORKER'): Promise<string> {
  const row = await db
    .insertInto('ai_messages')
    .values({
      user_id: userId,
      role,
      agent_type: role === 'CUSTOMER' ? 'smartengage' : 'coachnova',
      channel: 'EMAIL',
      message_type: role === 'CUSTOMER' ? 'REMINDER' : 'COACHING',
      message_text: 'hello',
      safety_checks: '{}',
      // a workflow that is gone: a response is recorded directly, nothing is signalled
      workflow_id: `gone-${randomUUID()}`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function booking(db: Db, customerId: string, serviceId: string, workerId: string): Promise<string> {
  const row = await db
    .insertInto('bookings')
    .values({ customer_id: customerId, service_id: serviceId, worker_id: workerId, status: 'CONFIRMED', scheduled_at: new Date(Date.now() - 7_200_000), total_price: 1500 })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function createWorld(db: Db, config: Config): Promise<World> {
  const service = await db
    .insertInto('services')
    .values({ name: 'AC Repair', name_bn: 'এসি মেরামত', category: 'AC_REPAIR', base_price: 1500 })
    .returning('id')
    .executeTakeFirstOrThrow();
  const [customerA, customerB, worker1, worker2, operator] = [
    await person(db, config, 'customer'),
    await person(db, config, 'customer'),
    await person(db, config, 'worker'),
    await person(db, config, 'worker'),
    await person(db, config, 'operator'),
  ];
  const link = async (customerId: string) =>
    new URL((await createDeepLink(db, config, { customerId, serviceId: service.id, workflowId: `fuzz-${randomUUID()}`, ttlHours: 48, promoCode: null })).url).pathname.split('/').pop()!;
  if (!config.INTERNAL_API_KEY) throw new Error('the world needs INTERNAL_API_KEY configured');
  return {
    config,
    serviceId: service.id,
    customerA,
    customerB,
    worker1,
    worker2,
    operator,
    messages: {
      customerA: await message(db, customerA.id, 'CUSTOMER'),
      customerB: await message(db, customerB.id, 'CUSTOMER'),
      worker1: await message(db, worker1.id, 'WORKER'),
      worker2: await message(db, worker2.id, 'WORKER'),
    },
    bookings: {
      customerA: await booking(db, customerA.id, service.id, worker1.id),
      customerB: await booking(db, customerB.id, service.id, worker2.id),
    },
    deepLinks: { customerA: await link(customerA.id), customerB: await link(customerB.id) },
    unsubscribe: { customerA: await createUnsubscribeToken(config, customerA.id), customerB: await createUnsubscribeToken(config, customerB.id) },
    apiKey: config.INTERNAL_API_KEY,
  };
}

/** The forged kinds of token; each is made for a given purpose with the claims a genuine one carries. */
export type Forgery = 'expired' | 'other-secret' | 'alg-none' | 'tampered' | 'no-exp';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

interface TokenSpec {
  purpose: TokenPurpose;
  subject: string;
  claims: Record<string, unknown>;
  jwtId?: string;
  /** A genuine token of this purpose to tamper with. */
  genuine: string;
  /** What the tampering changes in the genuine token's payload (e.g. role → operator). */
  tamper: Record<string, unknown>;
}

/**
 * A token as an attacker would make it: expired (genuinely signed, `exp` in the past), signed with
 * another secret under our key id, `alg: none`, a genuine token with its payload changed and the
 * signature kept, or genuinely signed without `exp`.
 */
export async function forgeToken(config: Config, kind: Forgery, spec: TokenSpec): Promise<string> {
  const ring = keysFor(config, spec.purpose);
  const now = Math.floor(Date.now() / 1000);
  const base = { ...spec.claims, iss: 'shoktiai', aud: spec.purpose, sub: spec.subject, iat: now, ...(spec.jwtId ? { jti: spec.jwtId } : {}) };
  switch (kind) {
    case 'expired':
      return signToken(ring, spec.purpose, spec.claims, { subject: spec.subject, expiresAt: new Date(Date.now() - 3_600_000), jwtId: spec.jwtId });
    case 'other-secret':
      return new SignJWT({ ...base, exp: now + 3600 }).setProtectedHeader({ alg: 'HS256', kid: ring.signing.kid }).sign(randomBytes(32));
    case 'alg-none':
      return `${b64({ alg: 'none', typ: 'JWT', kid: ring.signing.kid })}.${b64({ ...base, exp: now + 3600 })}.`;
    case 'tampered': {
      const [header, payload, signature] = spec.genuine.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      return `${header}.${b64({ ...claims, ...spec.tamper })}.${signature}`;
    }
    case 'no-exp':
      return new SignJWT(base).setProtectedHeader({ alg: 'HS256', kid: ring.signing.kid }).sign(ring.signing.key);
  }
}

/** Forged access tokens claim to be the operator (the most an accepted forgery could win). */
export function forgedAccessToken(world: World, kind: Forgery): Promise<string> {
  return forgeToken(world.config, kind, {
    purpose: 'login',
    subject: world.operator.id,
    claims: { role: 'operator', email: world.operator.email },
    genuine: world.customerA.token,
    tamper: { role: 'operator' },
  });
}

/** Forged link tokens: customer A's link, or (tampered) A's link re-pointed at customer B. */
export function forgedLinkToken(world: World, purpose: 'deep_link' | 'unsubscribe', kind: Forgery): Promise<string> {
  const genuine = purpose === 'deep_link' ? world.deepLinks.customerA : world.unsubscribe.customerA;
  const claims = JSON.parse(Buffer.from(genuine.split('.')[1], 'base64url').toString());
  const { iss: _i, aud: _a, sub: _s, iat: _t, exp: _e, jti, ...rest } = claims;
  // a fresh link id for the deep link: the row must not exist, so only the token decides
  return forgeToken(world.config, kind, {
    purpose,
    subject: world.customerA.id,
    claims: rest,
    jwtId: typeof jti === 'string' ? `${jti}-forged` : undefined,
    genuine,
    tamper: { sub: world.customerB.id },
  });
}
