import type { NextFunction, Request, Response } from 'express';
import { HttpError } from '../../lib/errors';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The path of the first string in `value` that PostgreSQL or Temporal would refuse, if any. */
function badStringPath(value: unknown, path: string[]): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') || LONE_SURROGATE.test(value) ? path.join('.') || '(body)' : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = badStringPath(value[i], [...path, String(i)]);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      const found = badStringPath(key, [...path, key]) ?? badStringPath(inner, [...path, key]);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * Text with a NUL byte (PostgreSQL refuses it) or a lone UTF-16 surrogate (not Unicode; Temporal's
 * protobuf encoding refuses it) is a 422 naming the field, for every route at once, before any
 * handler stores or forwards it.
 */
export function wellFormedText(req: Request, _res: Response, next: NextFunction): void {
  for (const [part, value] of [['body', req.body], ['query', req.query], ['params', req.params]] as const) {
    const path = badStringPath(value, []);
    if (path !== undefined) {
      const field = part === 'body' ? path : `${part}.${path}`;
      return next(new HttpError(422, 'validation_failed', `invalid request: ${field}`, [{ path: field, message: 'text must not contain NUL bytes or unpaired surrogates' }]));
    }
  }
  next();
}
