import type { NextFunction, Request, Response } from 'express';
import { HttpError } from '../../lib/errors';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** No request of ours nests deeper than this; a deeper body is refused before anything recurses into it. */
export const MAX_DEPTH = 32;

type Problem = { path: string; message: string };

/**
 * The first string in `value` that PostgreSQL or Temporal would refuse, or the first point nested
 * deeper than MAX_DEPTH. Walked with an explicit stack: a body of 10,000 nested arrays (well within
 * the size limit) must not overflow the call stack (it was a 500).
 */
function firstProblem(value: unknown): Problem | undefined {
  const stack: Array<[unknown, string[]]> = [[value, []]];
  while (stack.length > 0) {
    const [current, path] = stack.pop()!;
    if (typeof current === 'string') {
      if (current.includes('\u0000') || LONE_SURROGATE.test(current)) return { path: path.join('.') || '(body)', message: 'text must not contain NUL bytes or unpaired surrogates' };
      continue;
    }
    if (!current || typeof current !== 'object') continue;
    if (path.length >= MAX_DEPTH) return { path: path.slice(0, 3).join('.') || '(body)', message: `nested deeper than ${MAX_DEPTH} levels` };
    const entries = Array.isArray(current) ? current.map((v, i) => [String(i), v] as const) : Object.entries(current);
    // pushed in reverse so the first field is looked at first
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, inner] = entries[i];
      stack.push([inner, [...path, key]]);
      if (!Array.isArray(current)) stack.push([key, [...path, key]]);
    }
  }
  return undefined;
}

/**
 * Text with a NUL byte (PostgreSQL refuses it) or a lone UTF-16 surrogate (not Unicode; Temporal's
 * protobuf encoding refuses it), or a body nested absurdly deep, is a 422 naming the field, for
 * every route at once, before any handler stores, forwards or recurses into it.
 */
export function wellFormedText(req: Request, _res: Response, next: NextFunction): void {
  for (const [part, value] of [['body', req.body], ['query', req.query], ['params', req.params]] as const) {
    const problem = firstProblem(value);
    if (problem !== undefined) {
      const field = part === 'body' ? problem.path : `${part}.${problem.path}`;
      return next(new HttpError(422, 'validation_failed', `invalid request: ${field}`, [{ path: field, message: problem.message }]));
    }
  }
  next();
}
