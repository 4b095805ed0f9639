export interface JsonResponse {
  status: number;
  headers: Headers;
  // Tests assert on shapes; `any` keeps them readable.
  body: any;
}

async function toJson(res: Response): Promise<JsonResponse> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, headers: res.headers, body };
}

export async function getJson(url: string, headers: Record<string, string> = {}): Promise<JsonResponse> {
  return toJson(await fetch(url, { headers, redirect: 'manual' }));
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<JsonResponse> {
  return toJson(
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}
