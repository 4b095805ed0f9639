/** The one way the console talks to the API: JSON with the operator's bearer token. */
export interface ApiErrorBody {
  error: { code: string; message: string; details: unknown };
  correlation_id?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody | null,
  ) {
    super(body?.error.message ?? `HTTP ${status}`);
  }
  /** Every message the API gave: the main one and each field's (zod details as `path: message`). */
  messages(): string[] {
    const details = this.body?.error.details;
    const fields = Array.isArray(details) ? details.filter((d) => d && typeof d === 'object' && 'message' in d).map((d: { path?: string; message: string }) => (d.path ? `${d.path}: ${d.message}` : d.message)) : [];
    const failed = details && typeof details === 'object' && 'failed_checks' in details ? (details as { failed_checks: Array<{ name: string; detail: string | null }> }).failed_checks.map((c) => `${c.name}${c.detail ? `: ${c.detail}` : ''}`) : [];
    return [this.message, ...fields, ...failed];
  }
}

export type Call = <T = unknown>(path: string, init?: { method?: string; body?: unknown }) => Promise<T>;

export function makeCall(token: string | null, onUnauthorized: () => void): Call {
  return async <T,>(path: string, init: { method?: string; body?: unknown } = {}) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(path, { method: init.method ?? (init.body === undefined ? 'GET' : 'POST'), headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
    const text = await res.text();
    const json = text ? JSON.parse(text) : null;
    if (res.status === 401 && token) onUnauthorized();
    if (!res.ok) throw new ApiError(res.status, json);
    return json as T;
  };
}
