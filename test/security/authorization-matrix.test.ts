import { randomInt } from 'node:crypto';
import type { Server } from 'node:http';
import fc from 'fast-check';
import type { AccessRule } from '../../src/api/access';
import { createApp } from '../../src/api/app';
import { createLogger } from '../../src/lib/logger';
import { fillPath, operationsOf, type Operation } from '../../fuzz/operations';
import { exampleOf, type Overrides } from '../../fuzz/schema';
import { createWorld, forgedAccessToken, forgedLinkToken, type Forgery, type World } from '../../fuzz/world';
import { startTestSystem, type TestSystem } from '../helpers/system';

/**
 * Every operation of the generated OpenAPI document × every kind of caller, each answer checked
 * against the operation's `x-access` rule. Bearer identities go in the Authorization header (or
 * x-api-key); on a link-token route the token in the path is the credential, so there the
 * genuine callers hold a genuine link and the forged kinds put their forgery into the path.
 */
const IDENTITIES = [
  'anonymous',
  'customer-own',
  'customer-other',
  'worker-own',
  'worker-other',
  'operator',
  'internal-api-key',
  'wrong-api-key',
  'expired',
  'other-secret',
  'alg-none',
  'tampered',
  'wrong-purpose-link',
  'wrong-purpose-unsubscribe',
  'no-exp',
] as const;
type Identity = (typeof IDENTITIES)[number];

const FORGERIES: Partial<Record<Identity, Forgery>> = { expired: 'expired', 'other-secret': 'other-secret', 'alg-none': 'alg-none', tampered: 'tampered', 'no-exp': 'no-exp' };
const PRINCIPALS = new Set<Identity>(['anonymous', 'customer-own', 'customer-other', 'worker-own', 'worker-other', 'operator', 'internal-api-key']);

/**
 * What the rule promises. `allowed`: not an access refusal (not 401/403 with `unauthorized` /
 * `forbidden`; a 404 or 422 is fine, and so is a domain 401 such as a wrong sign-in code);
 * `allowed-found`: allowed, and the caller's own resource is found; `hidden`: someone else's
 * resource, refused with 403 or concealed with 404; `bad-link`: a link token refused (400/410).
 */
type Expected = 'allowed' | 'allowed-found' | 'unauthenticated' | 'forbidden' | 'hidden' | 'bad-link';

/** The resource kinds whose ownership the rules speak of, by path. */
type Resource = 'message' | 'booking' | 'deep_link' | 'unsubscribe' | undefined;
function resourceOf(op: Operation): Resource {
  if (op.path.startsWith('/messages/{')) return 'message';
  if (op.path.startsWith('/bookings/{')) return 'booking';
  if (op.path.startsWith('/l/{')) return 'deep_link';
  if (op.path.startsWith('/unsubscribe/{')) return 'unsubscribe';
  return undefined;
}

/** Whose resource an identity acts on: its own (A, worker 1) or another's (B, worker 2). */
const actsOnOther = (who: Identity) => who === 'customer-other' || who === 'worker-other';

/** Does the identity own the resource it acts on? A message is its recipient's; a booking its customer's. */
function owns(who: Identity, resource: Resource): boolean {
  if (who === 'customer-own') return resource === 'message' || resource === 'booking';
  if (who === 'worker-own') return resource === 'message';
  return false;
}

function expected(rule: AccessRule, who: Identity, resource: Resource, production: boolean): Expected {
  const isOperator = who === 'operator' || who === 'internal-api-key';
  const signedIn = isOperator || who.startsWith('customer') || who.startsWith('worker');
  switch (rule) {
    case 'public':
      return 'allowed';
    case 'operator-in-production':
    case 'operator':
      if (rule === 'operator-in-production' && !production) return 'allowed';
      return isOperator ? 'allowed' : signedIn ? 'forbidden' : 'unauthenticated';
    case 'link-token':
      return PRINCIPALS.has(who) ? 'allowed' : 'bad-link';
    case 'owner-or-operator':
      if (isOperator) return 'allowed-found';
      if (!signedIn) return 'unauthenticated';
      return owns(who, resource) ? 'allowed-found' : 'hidden';
    case 'customer-or-operator':
      if (isOperator || who === 'customer-own') return 'allowed';
      return signedIn ? 'forbidden' : 'unauthenticated';
  }
}

let system: TestSystem;
let world: World;
let doc: any;
const forged = new Map<string, string>();

beforeAll(async () => {
  system = await startTestSystem({ worker: false });
  world = await createWorld(system.db, system.config);
  doc = await (await fetch(`${system.baseUrl}/openapi.json`)).json();
  for (const [who, kind] of Object.entries(FORGERIES)) {
    forged.set(`login:${who}`, await forgedAccessToken(world, kind!));
    forged.set(`deep_link:${who}`, await forgedLinkToken(world, 'deep_link', kind!));
    forged.set(`unsubscribe:${who}`, await forgedLinkToken(world, 'unsubscribe', kind!));
  }
});
afterAll(async () => {
  await system.stop();
});

const WRONG_API_KEY = 'test-internal-api-key-0123456780';

/** Headers for a bearer-style route. */
function credentials(who: Identity): Record<string, string> {
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  switch (who) {
    case 'anonymous':
      return {};
    case 'customer-own':
    case 'customer-other':
      return bearer(world.customerA.token);
    case 'worker-own':
    case 'worker-other':
      return bearer(world.worker1.token);
    case 'operator':
      return bearer(world.operator.token);
    case 'internal-api-key':
      return { 'x-api-key': world.apiKey };
    case 'wrong-api-key':
      return { 'x-api-key': WRONG_API_KEY };
    case 'wrong-purpose-link':
      return bearer(world.deepLinks.customerA);
    case 'wrong-purpose-unsubscribe':
      return bearer(world.unsubscribe.customerA);
    default:
      return bearer(forged.get(`login:${who}`)!);
  }
}

/** The token in a link route's path for each identity. */
function linkToken(purpose: 'deep_link' | 'unsubscribe', who: Identity): string {
  const genuine = purpose === 'deep_link' ? world.deepLinks : world.unsubscribe;
  if (PRINCIPALS.has(who)) return actsOnOther(who) ? genuine.customerB : genuine.customerA;
  if (who === 'wrong-api-key') return 'not-a-token-at-all';
  // a genuine token of another purpose: an access token, or the other kind of link
  if (who === 'wrong-purpose-link') return world.operator.token;
  if (who === 'wrong-purpose-unsubscribe') return purpose === 'deep_link' ? world.unsubscribe.customerA : world.deepLinks.customerA;
  return forged.get(`${purpose}:${who}`)!;
}

/** The id in the path of an owner route: the identity's own resource or another's. */
function resourceId(resource: 'message' | 'booking', who: Identity): string {
  if (resource === 'message') {
    if (who === 'worker-own') return world.messages.worker1;
    if (who === 'worker-other') return world.messages.worker2;
    return who === 'customer-other' ? world.messages.customerB : world.messages.customerA;
  }
  return actsOnOther(who) ? world.bookings.customerB : world.bookings.customerA;
}

/**
 * A small valid request body: known ids where the schema names them, criteria that match
 * nobody and paused schedules (the matrix must not start campaigns), and for POST /bookings the
 * customer the identity books for (another customer's id for `customer-other`).
 */
function overrides(who: Identity): Overrides {
  return {
    alwaysInclude: new Set(['segment_criteria', 'service_ids', 'paused', 'schedule_id', ...(who === 'customer-own' ? [] : ['customer_id'])]),
    property(name) {
      if (name === 'service_id') return fc.constant(world.serviceId);
      if (name === 'service_ids') return fc.constant(['00000000-0000-4000-8000-000000000000']);
      if (name === 'paused') return fc.constant(true);
      if (name === 'schedule_id') return fc.constant(`matrix-${randomInt(1e9)}`);
      if (name === 'worker_id') return fc.constant(world.worker1.id);
      if (name === 'customer_id') {
        if (who === 'customer-other') return fc.constant(world.customerB.id);
        if (who === 'operator' || who === 'internal-api-key') return fc.constant(world.customerA.id);
      }
      return undefined;
    },
  };
}

interface Cell {
  op: string;
  who: Identity;
  expected: Expected;
  status: number;
  code?: string;
  ok: boolean;
}

function judge(expectation: Expected, status: number, code: string | undefined, documented: readonly string[]): boolean {
  // a 5xx the route documents (GET /health is 503 while no worker polls) is an answer, not a failure
  const answered = status < 500 || documented.includes(String(status));
  const refusal = (status === 401 && code === 'unauthorized') || (status === 403 && code === 'forbidden');
  switch (expectation) {
    case 'allowed':
      return answered && !refusal;
    case 'allowed-found':
      return answered && !refusal && status !== 404;
    case 'unauthenticated':
      return status === 401 && code === 'unauthorized';
    case 'forbidden':
      return status === 403 && code === 'forbidden';
    case 'hidden':
      return (status === 403 && code === 'forbidden') || (status === 404 && code === 'not_found');
    case 'bad-link':
      return status === 400 || status === 410;
  }
}

async function call(baseUrl: string, op: Operation, who: Identity): Promise<{ status: number; code?: string; correlated: boolean }> {
  const resource = resourceOf(op);
  const params: Record<string, string> = {};
  for (const p of op.pathParams) params[p.name] = String(exampleOf(p.schema, overrides(who), p.name));
  let headers: Record<string, string> = { accept: 'application/json', 'x-forwarded-for': `10.77.${randomInt(256)}.${randomInt(1, 255)}` };
  if (resource === 'deep_link' || resource === 'unsubscribe') {
    params[op.pathParams[0].name] = linkToken(resource, who);
    headers = { ...headers, ...(PRINCIPALS.has(who) ? credentials(who) : {}) };
  } else {
    if (resource) params[op.pathParams[0].name] = resourceId(resource, who);
    if (op.path.startsWith('/internal/ai/coachnova/workers/')) params.id = world.worker1.id;
    headers = { ...headers, ...credentials(who) };
  }
  const query = new URLSearchParams();
  for (const q of op.queryParams.filter((p) => p.required)) query.set(q.name, String(exampleOf(q.schema, overrides(who), q.name)));
  const body = op.body ? JSON.stringify(exampleOf(op.body, overrides(who))) : undefined;
  const url = `${baseUrl}${fillPath(op.path, params)}${query.size ? `?${query}` : ''}`;
  const res = await fetch(url, { method: op.method, headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body, redirect: 'manual' });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const correlation = res.headers.get('x-correlation-id');
  // an error body names the correlation id; a documented non-error answer (GET /health's 503) has only the header
  const correlated = Boolean(correlation) && (res.status < 400 || !json?.error || json.correlation_id === correlation);
  return { status: res.status, code: json?.error?.code, correlated };
}

async function runMatrix(baseUrl: string, operations: Operation[], production: boolean): Promise<Cell[]> {
  const cells: Cell[] = [];
  for (const op of operations) {
    for (const who of IDENTITIES) {
      const expectation = expected(op.rule!, who, resourceOf(op), production);
      const { status, code, correlated } = await call(baseUrl, op, who);
      cells.push({ op: op.key, who, expected: expectation, status, code, ok: correlated && judge(expectation, status, code, Object.keys(op.responses)) });
    }
  }
  return cells;
}

const failures = (cells: Cell[]) => cells.filter((c) => !c.ok).map(({ op, who, expected: e, status, code }) => `${op} as ${who}: expected ${e}, got ${status}${code ? ` ${code}` : ''}`);

describe('authorization matrix (from the OpenAPI document)', () => {
  it('has an access rule for every operation, with the matching security requirement', () => {
    const operations = operationsOf(doc);
    expect(operations.length).toBeGreaterThan(20);
    expect(operations.filter((op) => !op.rule).map((op) => op.key)).toEqual([]);
    for (const op of operations) {
      const raw = doc.paths[op.path][op.method.toLowerCase()];
      const anonymousAllowed = raw.security.some((s: object) => Object.keys(s).length === 0);
      expect({ op: op.key, anonymousAllowed }).toEqual({ op: op.key, anonymousAllowed: ['public', 'link-token', 'operator-in-production'].includes(op.rule!) });
    }
  });

  it('answers every route × identity exactly as its rule says', async () => {
    const operations = operationsOf(doc);
    // an owner rule needs to know whose resource the path names; a new kind of resource needs a fixture here
    expect(operations.filter((op) => (op.rule === 'owner-or-operator' || op.rule === 'link-token') && !resourceOf(op)).map((op) => op.key)).toEqual([]);
    const cells = await runMatrix(system.baseUrl, operations, false);
    expect(failures(cells)).toEqual([]);
    expect(cells).toHaveLength(operations.length * IDENTITIES.length);
    // the size is reported by the suite name in the README; keep it visible when asked for
    if (process.env.MATRIX_VERBOSE) console.log(`authorization matrix: ${operations.length} routes × ${IDENTITIES.length} identities = ${cells.length} requests`);
  });

  it('keeps /metrics for operators in production', async () => {
    const app = createApp({ config: { ...system.config, NODE_ENV: 'production' }, db: system.db, temporal: system.client, mailer: system.mailer, logger: createLogger('silent') });
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const operations = operationsOf(doc).filter((op) => op.rule === 'operator-in-production');
      expect(operations.length).toBeGreaterThan(0);
      const cells = await runMatrix(`http://127.0.0.1:${(server.address() as { port: number }).port}`, operations, true);
      expect(failures(cells)).toEqual([]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await app.drainBackground();
    }
  });
});
