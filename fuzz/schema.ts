import fc from 'fast-check';
import type { JsonSchema } from './operations';

/**
 * Values from the OpenAPI document's JSON schemas: `exampleOf` gives one small valid value
 * (deterministic), `arbitraryOf` a fast-check arbitrary of valid values. Both take the same
 * `Overrides`, through which the caller puts known ids (a real message, a service) or safe
 * choices (criteria that match nobody, paused schedules) into the generated requests.
 */
export interface Overrides {
  /** An arbitrary to use for a property of this name instead of its schema's, if any. */
  property?(name: string, schema: JsonSchema): fc.Arbitrary<unknown> | undefined;
  /** Optional properties always included (e.g. segment criteria, so they can be constrained). */
  alwaysInclude?: ReadonlySet<string>;
}

const DAY_MS = 86_400_000;
/** Where a valid date lies: the API bounds customer times to about a year back and ahead. */
const dateArb = fc.integer({ min: -300, max: 300 }).map((days) => new Date(Date.now() + days * DAY_MS + 3_600_000));

const VALID_CRONS = ['0 12 * * *', '*/15 8-20 * * MON-FRI', '0 0 1 1 *', '30 9 * * 1', '0 */6 * * *'];
const VALID_ZONES = ['Asia/Dhaka', 'UTC', 'America/New_York', 'Europe/London', 'Australia/Sydney'];

/** Text that is valid everywhere: no NUL, no lone surrogate, not only white space. */
function textArb(minLength: number, maxLength: number): fc.Arbitrary<string> {
  const max = Math.max(minLength, Math.min(maxLength, 80));
  return fc
    .string({ unit: 'grapheme', minLength, maxLength: max })
    .map((s) => s.replace(/\u0000/g, ''))
    .filter((s) => s.length >= minLength && s.length <= maxLength && (minLength === 0 || s.trim().length >= minLength));
}

function typesOf(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  if (typeof schema.type === 'string') return [schema.type];
  if (schema.properties) return ['object'];
  if (schema.items) return ['array'];
  return [];
}

export function arbitraryOf(schema: JsonSchema, overrides: Overrides = {}, name?: string): fc.Arbitrary<unknown> {
  const override = name === undefined ? undefined : overrides.property?.(name, schema);
  if (override) return override;
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(alternatives)) return fc.oneof(...alternatives.map((s: JsonSchema) => arbitraryOf(s, overrides, name)));
  const types = typesOf(schema);
  if (types.length > 1) return fc.oneof(...types.map((type) => arbitraryOf({ ...schema, type }, overrides, name)));
  switch (types[0]) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer': {
      const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1000);
      const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : min + 100_000);
      return fc.integer({ min, max });
    }
    case 'number': {
      const min = schema.minimum ?? schema.exclusiveMinimum ?? -1000;
      const max = schema.maximum ?? schema.exclusiveMaximum ?? min + 100_000;
      return fc
        .double({ min, max, noNaN: true, noDefaultInfinity: true, minExcluded: schema.exclusiveMinimum !== undefined, maxExcluded: schema.exclusiveMaximum !== undefined })
        .map((n) => (Object.is(n, -0) ? 0 : n));
    }
    case 'string':
      return stringArb(schema, name);
    case 'array': {
      const items = arbitraryOf(schema.items ?? {}, overrides);
      return fc.array(items, { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 5, Math.max(schema.minItems ?? 0, 5)) });
    }
    case 'object': {
      const properties: Record<string, JsonSchema> = schema.properties ?? {};
      const required = new Set<string>([...(schema.required ?? []), ...Object.keys(properties).filter((k) => overrides.alwaysInclude?.has(k))]);
      const model = Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, arbitraryOf(s, overrides, k)]));
      const record = fc.record(model, { requiredKeys: [...required].filter((k) => k in properties) });
      if (schema.additionalProperties && typeof schema.additionalProperties === 'object' && Object.keys(properties).length === 0) {
        return fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !k.includes('\u0000')), arbitraryOf(schema.additionalProperties, overrides), { maxKeys: 3 });
      }
      return record;
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function stringArb(schema: JsonSchema, name: string | undefined): fc.Arbitrary<string> {
  if (schema.format === 'uuid') return fc.uuid({ version: 4 });
  if (schema.format === 'date-time') return dateArb.map((d) => d.toISOString());
  if (schema.format === 'date') return dateArb.map((d) => d.toISOString().slice(0, 10));
  if (schema.format === 'email' || name === 'email') {
    // mostly plain addresses (the API's check is stricter than RFC 5322), some exotic ones
    return fc.oneof({ arbitrary: fc.stringMatching(/^[a-z0-9._-]{1,20}@[a-z0-9-]{1,12}\.(com|test|org)$/), weight: 3 }, { arbitrary: fc.emailAddress(), weight: 1 }).filter((e) => e.length <= (schema.maxLength ?? 254));
  }
  if (name === 'cron') return fc.constantFrom(...VALID_CRONS);
  if (name === 'timezone') return fc.constantFrom(...VALID_ZONES);
  if (typeof schema.pattern === 'string') {
    return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= (schema.minLength ?? 0) && s.length <= (schema.maxLength ?? Infinity));
  }
  return textArb(schema.minLength ?? 0, schema.maxLength ?? 200);
}

/** One small valid value: the schema's example or default, else the simplest value that passes. */
export function exampleOf(schema: JsonSchema, overrides: Overrides = {}, name?: string): unknown {
  const override = name === undefined ? undefined : overrides.property?.(name, schema);
  if (override) return fc.sample(override, { numRuns: 1, seed: 1 })[0];
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(alternatives)) return exampleOf(alternatives[0], overrides, name);
  const type = typesOf(schema).find((t) => t !== 'null') ?? typesOf(schema)[0];
  switch (type) {
    case 'null':
      return null;
    case 'boolean':
      return false;
    case 'integer':
    case 'number':
      return schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 1);
    case 'string': {
      if (schema.format || schema.pattern || name === 'cron' || name === 'timezone' || name === 'email') return fc.sample(stringArb(schema, name), { numRuns: 1, seed: 1 })[0];
      return 'a'.repeat(Math.max(schema.minLength ?? 0, 1));
    }
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => exampleOf(schema.items ?? {}, overrides));
    case 'object': {
      const properties: Record<string, JsonSchema> = schema.properties ?? {};
      const keys = Object.keys(properties).filter((k) => (schema.required ?? []).includes(k) || overrides.alwaysInclude?.has(k));
      return Object.fromEntries(keys.map((k) => [k, exampleOf(properties[k], overrides, k)]));
    }
    default:
      return {};
  }
}
