import { INTERNAL_API_KEY } from './stack';

export interface HttpAnswer {
  status: number;
  body: any;
  ms: number;
}

/** POST JSON to an /internal route with the internal API key; returns status, body and latency. */
export async function postInternal(url: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': INTERNAL_API_KEY, ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  const ms = performance.now() - started;
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed, ms };
}

export async function getInternal(url: string): Promise<HttpAnswer> {
  const started = performance.now();
  const res = await fetch(url, { headers: { 'x-api-key': INTERNAL_API_KEY }, redirect: 'manual' });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed, ms: performance.now() - started };
}
