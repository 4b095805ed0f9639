import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Client } from '@temporalio/client';
import fc from 'fast-check';
import { isValidCron, isValidTimeZone } from '../src/lib/schedule-spec';
import { fillPath, operationsOf, type JsonSchema, type Operation } from './operations';
import { arbitraryOf, type Overrides } from './schema';
import type { World } from './world';

/**
 * Property-based fuzzing of every operation in the OpenAPI document with fast-check: requests
 * drawn from each operation's own schemas (path, query, JSON body) and hostile variants of them,
 * sent with credentials the route's `x-access` rule accepts. Invariants:
 * - no 5xx, ever;
 * - every answer carries a sane `x-correlation-id`; every error is our JSON error body with the
 *   same id (an HTML page only where the document says so);
 * - a 2xx was given only to a request within the documented schema, with well-formed text, and its
 *   body matches the documented response schema with plausible dates and valid cron/timezones.
 * Plus Node's own answers to malformed HTTP (raw bytes on a socket).
 */

export interface FuzzOptions {
  baseUrl: string;
  doc: any;
  world: World;
  /** fast-check runs per route for valid requests and again for hostile ones. */
  runs: number;
  seed: number;
  /** Only these operations (`METHOD /path`), e.g. to reproduce one. */
  routes?: string[];
  /** Raw-socket cases (malformed HTTP) in addition to the fixed ones. */
  rawRuns?: number;
  /** Shrink a failure to a minimal case (more requests); on by default. */
  shrink?: boolean;
}

export interface Violation {
  route: string;
  mode: 'valid' | 'hostile' | 'raw';
  invariant: string;
  status: number;
  request: string;
  detail: string;
  /** `npm run fuzz -- --seed … --route …` reproduces it. */
  seed: number;
  counterexamplePath?: string;
}

export interface RouteStats {
  requests: number;
  statuses: Record<string, number>;
}

export interface FuzzReport {
  seed: number;
  runs: number;
  requests: number;
  statuses: Record<string, number>;
  routes: Record<string, RouteStats>;
  violations: Violation[];
  durationMs: number;
}

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

interface Case {
  mutation: string;
  params: Record<string, string>;
  /** Query parameters (already strings; a list repeats the name). */
  query: Array<[string, string]>;
  body: unknown;
  /** Raw body text when a mutation builds it (malformed JSON, oversized); replaces `body`. */
  rawBody?: string;
  contentType?: string;
  headers: Record<string, string>;
  /** A path segment sent as is (not percent-encoded by us). */
  rawPath?: string;
  /** Query text appended as is. */
  rawQuery?: string;
}

const NOBODY = '00000000-0000-4000-8000-000000000000';
const ACCEPTABLE_CORRELATION = /^[A-Za-z0-9._:-]{1,128}$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const ISO_DATE = /^(\d{4,6}|[+-]\d{6})-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

function routeSeed(seed: number, route: string, mode: string): number {
  return (seed ^ createHash('sha256').update(`${route} ${mode}`).digest().readInt32LE(0)) | 0;
}

/** What the fuzzer puts where the schema names a known thing: real ids half the time, safe choices always. */
function fuzzOverrides(world: World): Overrides {
  const oneOfIds = (...ids: string[]) => fc.oneof(fc.constantFrom(...ids), fc.uuid({ version: 4 }));
  return {
    // criteria always present and matching nobody; schedules always created paused, under our prefix
    alwaysInclude: new Set(['segment_criteria', 'service_ids', 'paused', 'schedule_id']),
    property(name) {
      switch (name) {
        case 'service_ids':
          return fc.constant([NOBODY]);
        case 'paused':
          return fc.constant(true);
        case 'schedule_id':
          return fc.stringMatching(/^[a-z0-9]{1,12}$/).map((s) => `fuzz-${s}`);
        case 'service_id':
          return oneOfIds(world.serviceId);
        case 'customer_id':
          return oneOfIds(world.customerA.id, world.customerB.id);
        case 'worker_id':
          return oneOfIds(world.worker1.id, world.worker2.id);
        case 'booking_id':
          return oneOfIds(world.bookings.customerA, world.bookings.customerB);
        case 'message_id':
          return oneOfIds(...Object.values(world.messages));
        default:
          return undefined;
      }
    },
  };
}

/** Path parameters: real resources (or links) half the time, else what the schema allows. */
function pathParamArb(op: Operation, name: string, schema: JsonSchema, world: World, overrides: Overrides): fc.Arbitrary<string> {
  const fromSchema = arbitraryOf(schema, overrides, name).map(String);
  if (op.path.startsWith('/l/')) return fc.oneof(fc.constantFrom(world.deepLinks.customerA, world.deepLinks.customerB), fromSchema);
  if (op.path.startsWith('/unsubscribe/')) return fc.oneof(fc.constantFrom(world.unsubscribe.customerA, world.unsubscribe.customerB), fromSchema);
  if (name === 'schedule_id') return fc.stringMatching(/^[a-z0-9]{1,12}$/).map((s) => `fuzz-${s}`);
  const known = [...Object.values(world.messages), ...Object.values(world.bookings), world.worker1.id, world.customerA.id];
  return fc.oneof(fc.constantFrom(...known), fromSchema);
}

/** Credentials the route's rule accepts (for owner routes the operator: it may act on any resource). */
function credentialsArb(op: Operation, world: World): fc.Arbitrary<Record<string, string>> {
  const operator: Array<Record<string, string>> = [{ authorization: `Bearer ${world.operator.token}` }, { 'x-api-key': world.apiKey }];
  switch (op.rule) {
    case 'operator':
    case 'operator-in-production':
      return fc.constantFrom(...operator);
    case 'owner-or-operator':
      return fc.constantFrom(...operator, { authorization: `Bearer ${world.customerA.token}` }, { authorization: `Bearer ${world.worker1.token}` });
    case 'customer-or-operator':
      return fc.constantFrom(...operator, { authorization: `Bearer ${world.customerA.token}` });
    default:
      return fc.constant({});
  }
}

function validCaseArb(op: Operation, world: World): fc.Arbitrary<Case> {
  const overrides = fuzzOverrides(world);
  const params = fc.record(Object.fromEntries(op.pathParams.map((p) => [p.name, pathParamArb(op, p.name, p.schema, world, overrides)])));
  const query = fc.tuple(
    ...op.queryParams.map((p) => {
      const pair = arbitraryOf(p.schema, overrides, p.name).map((v) => [p.name, String(v)] as [string, string]);
      // a required parameter is always sent (fast-check refuses an option of weight 0)
      return p.required ? pair : fc.option(pair, { nil: undefined, freq: 2 });
    }),
  );
  const body = op.body ? arbitraryOf(op.body, overrides) : fc.constant(undefined);
  return fc.record({ params, query, body, headers: credentialsArb(op, world) }).map(({ params: p, query: q, body: b, headers }) => ({
    mutation: 'none',
    params: p as Record<string, string>,
    query: q.filter((x): x is [string, string] => x !== undefined),
    body: b,
    headers: { accept: 'application/json', ...headers },
  }));
}

/** Every place in a body value a mutation can hit: [path, value]. */
function leaves(value: unknown, path: string[] = []): Array<[string[], unknown]> {
  if (value && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    return [[path, value], ...entries.flatMap(([k, v]) => leaves(v, [...path, k]))];
  }
  return [[path, value]];
}

function setAt(value: unknown, path: string[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy: any = Array.isArray(value) ? [...value] : { ...(value as object) };
  copy[path[0]] = setAt(copy[path[0]], path.slice(1), replacement);
  return copy;
}

/** Property names of the body schema and its nested objects, with their schemas. */
function schemaFields(schema: JsonSchema | undefined, path: string[] = []): Array<[string[], JsonSchema]> {
  if (!schema) return [];
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(alternatives)) return alternatives.flatMap((s: JsonSchema) => schemaFields(s, path));
  return Object.entries<JsonSchema>(schema.properties ?? {}).flatMap(([k, s]) => [[[...path, k], s] as [string[], JsonSchema], ...schemaFields(s, [...path, k])]);
}

const HOSTILE_DATES = [
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '+275760-09-13T00:00:00Z',
  '-000001-01-01T00:00:00Z',
  '2024-02-30T00:00:00Z',
  '2024-13-01T00:00:00Z',
  '2024-01-01T25:61:00Z',
  '1970-01-01T00:00:00Z',
  '2024-01-01',
  'yesterday',
  '',
  '2024-01-01T00:00:00+99:00',
];
const HOSTILE_CRONS = ['99 * * * *', 'a b c d e', '0 12 * * * *', '* * * *', '0 12 L * *', '0 0 31 2 *', '@every 1s', '*/0 * * * *', '0-99 * * * *', '0 12 * * 9', '', ' '.repeat(50), '0 0 ? * MON#2'];
const HOSTILE_ZONES = ['Mars/Olympus', 'asia/dhaka', 'UTC+25', '../../etc/passwd', 'Asia/Dhaka\u0000', 'Etc/GMT+99', '', 'Local', 'EST5EDT,M3.2.0,M11.1.0', 'A'.repeat(64)];
const WRONG_TYPES: fc.Arbitrary<unknown> = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }), fc.string({ maxLength: 5 }));
const CONTENT_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/json; charset=latin1', 'application/vnd.api+json', 'application/json; charset=nonsense', 'application/json, text/plain'];
const MALFORMED = ['{', '{"a":}', "{'a':1}", '[1,2', 'nul', '\uFEFF{}', '{"a":1}garbage', 'NaN', '"\\ud800"', '{"a":"\\u00"}', '{"a":1,"a":2}', '1e999999', '{"__proto__":{"role":"operator"}}', '{"constructor":{"prototype":{"x":1}}}', 'null', 'true', '"text"', '[]'];
const PATH_GARBAGE = ['%', '%ZZ', '%00', '..', '%2e%2e%2f%2e%2e', 'a'.repeat(3000), '%F0%9F', '%ED%A0%80', '%C0%AF', 'ক', '%20', '~', 'null', 'undefined', '-1', '0', '1e309', '00000000-0000-0000-0000-000000000000', 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF'];
const QUERY_GARBAGE = ['limit=1&limit=2', 'limit[]=1', 'limit[a]=1', '%ZZ=1', 'a=%00', 'explain=true&explain=false', `x=${'y'.repeat(5000)}`, '&&&=', 'from=0000-01-01&to=9999-12-31', 'from=2024-01-02&to=2024-01-01', 'limit=-1', 'limit=1e9', 'limit=NaN', 'limit=0x10', 'after=%ED%A0%80', 'campaign_id=%00', 'include_inactive=yes', 'category=%27%3B--', 'agent_type=__proto__', '__proto__[x]=1', 'status=active&status=retired'];

function pick<T>(list: readonly T[]): fc.Arbitrary<T> {
  return fc.constantFrom(...list);
}

/** A valid case made hostile in one way. */
function hostileCaseArb(op: Operation, world: World): fc.Arbitrary<Case> {
  const base = validCaseArb(op, world);
  const fields = schemaFields(op.body);
  const dateFields = fields.filter(([, s]) => s.format === 'date-time' || s.format === 'date' || (s.anyOf ?? []).some((x: JsonSchema) => x.format));
  const named = (n: string) => fields.filter(([p]) => p[p.length - 1] === n);
  const mutations: Array<fc.Arbitrary<(c: Case) => Case>> = [];
  const onBody = (name: string, value: fc.Arbitrary<unknown>, paths?: Array<[string[], JsonSchema]>) =>
    fc.tuple(value, fc.nat()).map(([v, n]) => (c: Case): Case => {
      const targets = paths && paths.length ? paths.map(([p]) => p) : leaves(c.body ?? {}).map(([p]) => p);
      const target = targets[n % targets.length] ?? [];
      return { ...c, mutation: name, body: setAt(c.body ?? {}, target, v) };
    });
  const onString = (name: string, transform: fc.Arbitrary<(s: string) => string>) =>
    fc.tuple(transform, fc.nat(), fc.constantFrom('body', 'query', 'path')).map(([t, n, where]) => (c: Case): Case => {
      if (where === 'path' && op.pathParams.length) {
        const key = op.pathParams[n % op.pathParams.length].name;
        return { ...c, mutation: `${name}:path`, params: { ...c.params, [key]: t(c.params[key] ?? '') } };
      }
      if (where === 'query' && c.query.length) {
        const i = n % c.query.length;
        return { ...c, mutation: `${name}:query`, query: c.query.map((q, j) => (j === i ? [q[0], t(q[1])] : q)) };
      }
      const strings = leaves(c.body ?? {}).filter(([, v]) => typeof v === 'string');
      if (!strings.length) return { ...c, mutation: `${name}:body`, body: { ...(c.body && typeof c.body === 'object' ? c.body : {}), text: t('x') } };
      const [path, v] = strings[n % strings.length];
      return { ...c, mutation: `${name}:body`, body: setAt(c.body, path, t(v as string)) };
    });
  const insert = (piece: string) => fc.nat().map((at) => (s: string) => s.slice(0, at % (s.length + 1)) + piece + s.slice(at % (s.length + 1)));

  mutations.push(onBody('wrong-type', WRONG_TYPES, fields));
  mutations.push(onString('huge-string', fc.constantFrom(1_000, 20_000, 99_000).chain((n) => pick(['x', 'ক', '😀']).map((ch) => () => ch.repeat(n)))));
  mutations.push(onString('nul', insert('\u0000')));
  mutations.push(onString('lone-surrogate', fc.constantFrom('\ud800', '\udfff', '\udbff').chain(insert)));
  if (dateFields.length) mutations.push(onBody('bad-date', pick(HOSTILE_DATES), dateFields));
  if (named('cron').length) mutations.push(onBody('bad-cron', pick(HOSTILE_CRONS), named('cron')));
  if (named('timezone').length) mutations.push(onBody('bad-timezone', pick(HOSTILE_ZONES), named('timezone')));
  const dateQuery = op.queryParams.filter((p) => (p.schema.anyOf ?? [p.schema]).some((s: JsonSchema) => s.format));
  if (dateQuery.length) {
    mutations.push(fc.tuple(pick(dateQuery), pick(HOSTILE_DATES)).map(([p, d]) => (c: Case): Case => ({ ...c, mutation: 'bad-date:query', query: [...c.query.filter(([k]) => k !== p.name), [p.name, d]] })));
  }
  mutations.push(
    fc.tuple(fc.oneof(pick(['__proto__', 'constructor', 'prototype', 'role', 'is_admin', 'customer_id', '']), fc.string({ maxLength: 10 })), fc.jsonValue({ maxDepth: 2 })).map(
      ([key, value]) =>
        (c: Case): Case => {
          const text = JSON.stringify(c.body ?? {});
          const extra = `${JSON.stringify(key)}:${JSON.stringify(value ?? null)}`;
          const raw = text.startsWith('{') ? (text === '{}' ? `{${extra}}` : `{${extra},${text.slice(1)}`) : text;
          return { ...c, mutation: 'extra-field', rawBody: raw };
        },
    ),
  );
  mutations.push(pick(CONTENT_TYPES).map((type) => (c: Case): Case => ({ ...c, mutation: 'content-type', contentType: type, rawBody: JSON.stringify(c.body ?? {}) })));
  mutations.push(fc.oneof(pick(MALFORMED), fc.string({ maxLength: 40 })).map((raw) => (c: Case): Case => ({ ...c, mutation: 'malformed-json', rawBody: raw })));
  mutations.push(
    fc.constantFrom(101_000, 300_000, 1_200_000, 9_000_000).map((n) => (c: Case): Case => ({ ...c, mutation: 'oversized', rawBody: JSON.stringify({ ...(c.body && typeof c.body === 'object' ? c.body : {}), padding: 'x'.repeat(n) }) })),
  );
  mutations.push(
    fc.tuple(fc.constantFrom(1_000, 10_000, 40_000), fc.boolean()).map(([depth, arrays]) => (c: Case): Case => ({
      ...c,
      mutation: 'deep-nesting',
      rawBody: arrays ? `{"text":${'['.repeat(depth)}${']'.repeat(depth)}}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
    })),
  );
  if (op.pathParams.length) {
    mutations.push(fc.tuple(pick(PATH_GARBAGE), fc.nat()).map(([g, n]) => (c: Case): Case => ({ ...c, mutation: 'path-garbage', rawPath: op.pathParams[n % op.pathParams.length].name, params: { ...c.params, [op.pathParams[n % op.pathParams.length].name]: g } })));
  }
  mutations.push(pick(QUERY_GARBAGE).map((q) => (c: Case): Case => ({ ...c, mutation: 'query-garbage', rawQuery: q })));
  mutations.push(
    fc.oneof(fc.string({ unit: 'binary-ascii', maxLength: 200 }), pick(['x'.repeat(129), '../../x', 'a b', '', 'caf\u00e9'])).map((id) => (c: Case): Case => ({
      ...c,
      mutation: 'correlation-header',
      headers: { ...c.headers, 'x-correlation-id': id.replace(/[\r\n\u0000]/g, '') },
    })),
  );
  mutations.push(
    pick(['Bearer', 'Bearer ', 'Bearer a.b.c', 'Basic dXNlcjpwYXNz', `Bearer ${'a'.repeat(5000)}`, 'Bearer eyJhbGciOiJub25lIn0.e30.', 'bearer  x', 'Token x']).map((auth) => (c: Case): Case => ({
      ...c,
      mutation: 'authorization-garbage',
      // garbage next to the valid credentials: an API key still works; a bearer token is replaced
      headers: { ...c.headers, authorization: auth },
    })),
  );
  return fc.tuple(base, fc.oneof(...mutations)).map(([c, mutate]) => mutate(c));
}

/** Percent-encodes a path segment; a lone surrogate goes as the bytes a careless client sends (WTF-8). */
function encodeSegment(value: string): string {
  return value.replace(/[\s\S]/gu, (ch) => {
    const code = ch.codePointAt(0)!;
    if (ch.length === 1 && code >= 0xd800 && code <= 0xdfff) return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    return encodeURIComponent(ch);
  });
}

function toRequest(baseUrl: string, op: Operation, c: Case): Sent {
  const params = Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, encodeSegment(v)]));
  let path = fillPath(op.path, params, false);
  if (c.rawPath) path = fillPath(op.path, { ...params, [c.rawPath]: c.params[c.rawPath] }, false).replace(/ /g, '%20');
  const headers = { ...c.headers };
  const query = [new URLSearchParams(c.query).toString(), c.rawQuery].filter(Boolean).join('&');
  const hasBody = op.method !== 'GET' && op.method !== 'DELETE' && (op.body !== undefined || c.rawBody !== undefined);
  const body = hasBody ? (c.rawBody ?? JSON.stringify(c.body ?? {})) : undefined;
  if (body !== undefined) headers['content-type'] = c.contentType ?? 'application/json';
  return { method: op.method, url: `${baseUrl}${path}${query ? `?${query}` : ''}`, headers, body };
}

function describe(sent: Sent, mutation: string): string {
  const body = sent.body === undefined ? '' : ` ${sent.body.length > 300 ? `${JSON.stringify(sent.body.slice(0, 300))}… (${sent.body.length} chars)` : JSON.stringify(sent.body)}`;
  const headers = Object.entries(sent.headers)
    .filter(([k]) => k !== 'authorization' && k !== 'x-api-key')
    .map(([k, v]) => `${k}: ${v.length > 80 ? `${v.slice(0, 80)}…` : v}`)
    .join('; ');
  const url = sent.url.length > 300 ? `${sent.url.slice(0, 300)}… (${sent.url.length} chars)` : sent.url;
  return `[${mutation}] ${sent.method} ${url}${headers ? ` {${headers}}` : ''}${body}`;
}

function wellFormed(value: unknown): boolean {
  if (typeof value === 'string') return !value.includes('\u0000') && !LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.every(wellFormed);
  if (value && typeof value === 'object') return Object.entries(value).every(([k, v]) => wellFormed(k) && wellFormed(v));
  return true;
}

/** The part of a value its schema describes (an undocumented field is ignored by the API, not accepted). */
function documented(value: unknown, schema: JsonSchema): unknown {
  const alternatives: JsonSchema[] = schema.anyOf ?? schema.oneOf ?? [schema];
  if (Array.isArray(value)) return value.map((v) => documented(v, alternatives.find((s) => s.items)?.items ?? {}));
  if (!value || typeof value !== 'object') return value;
  const properties: Record<string, JsonSchema> = Object.assign({}, ...alternatives.map((s) => s.properties ?? {}));
  const open = alternatives.find((s) => s.additionalProperties && typeof s.additionalProperties === 'object')?.additionalProperties;
  if (!Object.keys(properties).length && !open) return alternatives.some((s) => s.type === 'object' || s.properties) ? {} : value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => k in properties || open)
      .map(([k, v]) => [k, documented(v, properties[k] ?? open)]),
  );
}

/** Dates in an accepted answer must be plausible (a year 0000 or 9999 means unchecked input got stored). */
function implausibleValue(value: unknown, key = ''): string | undefined {
  if (typeof value === 'string') {
    if (ISO_DATE.test(value)) {
      const year = new Date(value).getUTCFullYear();
      if (!(year >= 2000 && year <= 2100)) return `${key}: ${value}`;
    }
    if (key === 'cron' && !isValidCron(value)) return `${key}: ${value}`;
    if (key === 'timezone' && !isValidTimeZone(value)) return `${key}: ${value}`;
    return undefined;
  }
  if (Array.isArray(value)) return value.map((v) => implausibleValue(v, key)).find(Boolean);
  if (value && typeof value === 'object') return Object.entries(value).map(([k, v]) => implausibleValue(v, k)).find(Boolean);
  return undefined;
}

export class Fuzzer {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
  private readonly ajvCoercing = new Ajv2020({ strict: false, coerceTypes: true });
  readonly report: FuzzReport;

  constructor(private readonly options: FuzzOptions) {
    addFormats(this.ajv);
    addFormats(this.ajvCoercing);
    this.report = { seed: options.seed, runs: options.runs, requests: 0, statuses: {}, routes: {}, violations: [], durationMs: 0 };
  }

  private count(route: string, status: number): void {
    const key = status === 0 ? 'no-answer' : String(status);
    this.report.requests++;
    this.report.statuses[key] = (this.report.statuses[key] ?? 0) + 1;
    const stats = (this.report.routes[route] ??= { requests: 0, statuses: {} });
    stats.requests++;
    stats.statuses[key] = (stats.statuses[key] ?? 0) + 1;
  }

  /** Sends one case and returns the broken invariant, if any. */
  private async check(op: Operation, c: Case): Promise<{ invariant: string; status: number; detail: string; request: string } | undefined> {
    const sent = toRequest(this.options.baseUrl, op, c);
    const request = describe(sent, c.mutation);
    let res: Response;
    try {
      res = await fetch(sent.url, { method: sent.method, headers: sent.headers, body: sent.body, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      // a client-side refusal to send (e.g. an invalid header value) is not the server's doing
      if (error instanceof TypeError && !/fetch failed/.test(error.message)) return undefined;
      // the server answered and closed while fetch was still sending (431 on a huge URL, 413 on a
      // huge body): read that answer from a raw socket instead
      res = await rawFetch(sent);
    }
    const text = await res.text();
    this.count(op.key, res.status);
    const fail = (invariant: string, detail: string) => ({ invariant, status: res.status, detail, request });
    if (res.status === 0) return fail('answers', 'no HTTP answer');
    // a documented 5xx that is an answer rather than an error: GET /health is 503 while a check is down
    const documentedAnswer = res.status >= 500 && op.responses[String(res.status)] !== undefined && !/"error"\s*:/.test(text);
    if (res.status >= 500 && !documentedAnswer) return fail('no 5xx', text.slice(0, 300));
    const correlation = res.headers.get('x-correlation-id');
    if (!correlation || !ACCEPTABLE_CORRELATION.test(correlation)) return fail('correlation id header', String(correlation));
    if (documentedAnswer) return undefined;
    const isJson = /^application\/json/.test(res.headers.get('content-type') ?? '');
    let json: any;
    if (isJson) {
      try {
        json = JSON.parse(text);
      } catch {
        return fail('JSON body', text.slice(0, 200));
      }
    }
    if (res.status >= 400) {
      if (!isJson) {
        const documented = Object.keys(op.responses[String(res.status)] ?? {}).some((t) => !t.includes('json'));
        return documented ? undefined : fail('error is JSON', `${res.headers.get('content-type')}: ${text.slice(0, 200)}`);
      }
      const shaped = json && typeof json.error?.code === 'string' && typeof json.error?.message === 'string' && 'details' in json.error && json.correlation_id === correlation;
      return shaped ? undefined : fail('error shape with correlation id', text.slice(0, 300));
    }
    if (res.status >= 200 && res.status < 300) {
      if (c.mutation !== 'content-type') {
        const problem = this.acceptedProblem(op, c, sent);
        if (problem) return fail('accepted only valid input', problem);
      }
      const schema = op.responses[String(res.status)]?.['application/json'];
      if (isJson && schema && !this.ajv.validate(schema, json)) return fail('answer matches its documented schema', this.ajv.errorsText(this.ajv.errors));
      const implausible = isJson ? implausibleValue(json) : undefined;
      if (implausible) return fail('accepted values in range', implausible);
    }
    return undefined;
  }

  /** Why a 2xx should not have been given to this request, if it should not. */
  private acceptedProblem(op: Operation, c: Case, sent: Sent): string | undefined {
    let body: unknown = sent.body === undefined ? undefined : c.body;
    if (sent.body !== undefined && c.rawBody !== undefined) {
      try {
        // an empty body is no body, as the JSON parser reads it (`{}`)
        body = c.rawBody === '' ? {} : JSON.parse(c.rawBody);
      } catch {
        return op.body ? `malformed body accepted: ${c.rawBody.slice(0, 100)}` : undefined;
      }
    }
    // undocumented query parameters are ignored by the API, not accepted: only documented ones are judged
    const documentedQuery = [...c.query, ...(c.rawQuery ? [...new URLSearchParams(c.rawQuery)] : [])].filter(([k]) => op.queryParams.some((p) => p.name === k));
    // a URL cannot carry a lone surrogate: the client's encoder sends U+FFFD, well-formed text the
    // API may accept (query text is judged as the server receives it)
    const strings = [...Object.values(c.params), ...documentedQuery.flat().map(asSentInUrl)];
    try {
      if (!wellFormed(op.body ? documented(body, op.body) : undefined) || !wellFormed(strings)) return 'text with NUL or a lone surrogate accepted';
    } catch (error) {
      if (error instanceof RangeError) return 'a body nested too deeply to walk accepted';
      throw error;
    }
    if (op.body && sent.body !== undefined && !this.ajv.validate(op.body, body)) return `body outside its schema accepted: ${this.ajv.errorsText(this.ajv.errors)}`;
    for (const p of op.pathParams) {
      if (!this.ajvCoercing.validate({ type: 'object', properties: { v: p.schema } }, { v: c.params[p.name] })) return `path ${p.name} outside its schema accepted: ${c.params[p.name]}`;
    }
    const seen = new Set<string>();
    const query: Array<[string, string]> = [...c.query, ...(c.rawQuery ? [...new URLSearchParams(c.rawQuery)] : [])];
    for (const [name, value] of query) {
      const p = op.queryParams.find((q) => q.name === name);
      if (!p || seen.has(name)) continue;
      seen.add(name);
      const values = query.filter(([k]) => k === name).map(([, v]) => v);
      // a repeated parameter must not be accepted as if it were one valid value
      if (values.length > 1) return `repeated query ${name} accepted: ${values.join(', ')}`;
      if (!this.ajvCoercing.validate({ type: 'object', properties: { v: p.schema } }, { v: value })) return `query ${name} outside its schema accepted: ${value}`;
    }
    return implausibleValue(body);
  }

  private async runProperty(op: Operation, mode: 'valid' | 'hostile', arb: fc.Arbitrary<Case>): Promise<void> {
    const seed = routeSeed(this.options.seed, op.key, mode);
    // the last failing case seen: after shrinking, the smallest one
    let last: Awaited<ReturnType<Fuzzer['check']>>;
    const result = await fc.check(
      fc.asyncProperty(arb, async (c) => {
        const failure = await this.check(op, c);
        if (failure) last = failure;
        return failure === undefined;
      }),
      { seed, numRuns: this.options.runs, endOnFailure: this.options.shrink === false, verbose: 0 },
    );
    if (result.failed && last) {
      this.report.violations.push({ route: op.key, mode, ...last, seed: this.options.seed, counterexamplePath: result.counterexamplePath ?? undefined });
    } else if (result.failed) {
      this.report.violations.push({ route: op.key, mode, invariant: 'property', status: 0, request: '', detail: String(result.errorInstance ?? 'failed'), seed: this.options.seed });
    }
  }

  async run(): Promise<FuzzReport> {
    const started = Date.now();
    const operations = operationsOf(this.options.doc).filter((op) => !this.options.routes || this.options.routes.includes(op.key));
    for (const op of operations) {
      await this.runProperty(op, 'valid', validCaseArb(op, this.options.world));
      await this.runProperty(op, 'hostile', hostileCaseArb(op, this.options.world));
    }
    if (!this.options.routes) await this.runRaw();
    this.report.durationMs = Date.now() - started;
    return this.report;
  }

  /** Malformed HTTP on a raw socket: Node answers before any route, and it must answer like us. */
  private async runRaw(): Promise<void> {
    const fixed = [
      'GARBAGE\r\n\r\n',
      'GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ' + 'a'.repeat(20_000) + '\r\n\r\n',
      'GET /health HTTP/1.1\r\nHo st: x\r\n\r\n',
      'GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
      'POST /auth/request-otp HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'POST /auth/request-otp HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n',
      'FOO / HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /\u0000 HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /health HTTP/9.9\r\nHost: x\r\n\r\n',
      'GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
    ];
    const random = fc.sample(fc.string({ unit: 'binary-ascii', maxLength: 300 }), { seed: routeSeed(this.options.seed, 'raw', 'raw'), numRuns: this.options.rawRuns ?? 0 });
    for (const request of [...fixed, ...random.map((r) => `${r}\r\n\r\n`)]) {
      const answer = await rawExchange(new URL(this.options.baseUrl), request);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
      if (!answer) continue; // the server may close on bytes it cannot parse at all
      this.count('(raw HTTP)', status);
      const head = answer.slice(0, answer.indexOf('\r\n\r\n'));
      const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
      const correlation = /^x-correlation-id: (.+)$/im.exec(head)?.[1]?.trim();
      let problem: string | undefined;
      if (status >= 500 || status === 0) problem = 'no 5xx';
      else if (!correlation) problem = 'correlation id header';
      else if (status >= 400) {
        try {
          const json = JSON.parse(body);
          if (json.correlation_id !== correlation || typeof json.error?.code !== 'string') problem = 'error shape with correlation id';
        } catch {
          problem = 'error is JSON';
        }
      }
      if (problem) this.report.violations.push({ route: '(raw HTTP)', mode: 'raw', invariant: problem, status, request: JSON.stringify(request.slice(0, 200)), detail: answer.slice(0, 300), seed: this.options.seed });
    }
  }
}

/** The same request written on a raw socket, its answer as a Response (status 0: none). */
async function rawFetch(sent: Sent): Promise<Response> {
  const url = new URL(sent.url);
  const body = sent.body === undefined ? '' : sent.body;
  const head = [`${sent.method} ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`, 'connection: close', ...Object.entries(sent.headers).map(([k, v]) => `${k}: ${v}`)];
  if (sent.body !== undefined) head.push(`content-length: ${Buffer.byteLength(body)}`);
  const answer = await rawExchange(url, `${head.join('\r\n')}\r\n\r\n${body}`);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
  const end = answer.indexOf('\r\n\r\n');
  const headers = new Headers();
  for (const line of answer.slice(0, end).split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  return { status, headers, text: async () => Buffer.from(answer.slice(end + 4), 'latin1').toString('utf8') } as Response;
}

/** Writes bytes, reads the first complete answer (or until the server closes). */
function rawExchange(url: URL, request: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    let answer = '';
    const done = () => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, done);
    socket.on('data', (d) => {
      answer += d.toString('latin1');
      const end = answer.indexOf('\r\n\r\n');
      const length = /^content-length: (\d+)$/im.exec(answer.slice(0, end))?.[1];
      if (end >= 0 && length !== undefined && answer.length - end - 4 >= Number(length)) done();
    });
    socket.on('close', done);
    socket.on('error', done);
    socket.write(request, 'latin1');
  });
}

export function formatReport(report: FuzzReport): string {
  const lines: string[] = [];
  const hist = (s: Record<string, number>) =>
    Object.entries(s)
      .sort()
      .map(([k, v]) => `${k}×${v}`)
      .join(' ');
  for (const [route, stats] of Object.entries(report.routes)) lines.push(`  ${route.padEnd(72)} ${String(stats.requests).padStart(6)}  ${hist(stats.statuses)}`);
  lines.push('', `${report.requests} requests in ${(report.durationMs / 1000).toFixed(1)} s (seed ${report.seed}, ${report.runs} runs per route and mode): ${hist(report.statuses)}`);
  lines.push(`violations: ${report.violations.length}`);
  for (const v of report.violations) {
    lines.push(`  ✗ ${v.route} (${v.mode}) broke "${v.invariant}" with ${v.status}: ${v.detail.slice(0, 300)}`, `      ${v.request}`, `      reproduce: npm run fuzz -- --seed ${v.seed} --route '${v.route}'`);
  }
  return lines.join('\n');
}

/** Schedules the fuzzer made (all named `fuzz-…`, all created paused) are deleted afterwards. */
export async function deleteFuzzSchedules(client: Client): Promise<number> {
  let deleted = 0;
  for await (const schedule of client.schedule.list()) {
    if (!schedule.scheduleId.startsWith('fuzz-')) continue;
    await client.schedule.getHandle(schedule.scheduleId).delete().catch(() => undefined);
    deleted++;
  }
  return deleted;
}

/** What a URL carries of a string: lone surrogates become U+FFFD (WHATWG URL encoding). */
function asSentInUrl(value: string): string {
  return value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}
