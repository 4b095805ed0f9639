import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * A local server speaking the OpenAI chat-completions and moderations API, so tests exercise the
 * official `openai` client end to end (structured output, HTTP errors, timeouts, bad JSON).
 *
 * Each chat request takes the next queued behaviour, else the default one. A behaviour is one of:
 * - `{ draft }`            answer with this object as the JSON content
 * - `{ content }`          answer with this raw string as the content (e.g. invalid JSON)
 * - `{ refusal }`          the model refuses
 * - `{ status, body?, headers? }` an HTTP error (429 with Retry-After, 500, …)
 * - `{ delayMs, then }`    wait (e.g. past the client timeout), then behave as `then`
 */
export type ChatBehaviour =
  | { draft: Record<string, unknown> }
  | { content: string }
  | { refusal: string }
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { delayMs: number; then: ChatBehaviour };

export interface ChatRequestRecord {
  model: string;
  messages: Array<{ role: string; content: string }>;
  response_format?: unknown;
}

/** What the safety judge answers (structured output named "safety_verdict"). */
export type JudgeBehaviour =
  | { verdict: { safe: boolean; categories: string[]; reasons: string[]; quotes: string[] } }
  | { status: number; body?: unknown }
  | { content: string }
  | { delayMs: number; then: JudgeBehaviour };

function judgeAnswer(answer: JudgeBehaviour): ChatBehaviour {
  if ('verdict' in answer) return { draft: answer.verdict };
  if ('delayMs' in answer) return { delayMs: answer.delayMs, then: judgeAnswer(answer.then) };
  return answer;
}

/** The draft text a judge request asks about (between the <<< >>> markers of its user message). */
export function judgedDraftText(request: ChatRequestRecord): string {
  const user = request.messages.find((m) => m.role === 'user')?.content ?? '';
  return user.split('<<<')[1]?.split('>>>')[0] ?? '';
}

export interface TestOpenAiServer {
  /** Base URL to pass as OPENAI_BASE_URL (ends in /v1). */
  baseUrl: string;
  chatRequests: ChatRequestRecord[];
  moderationInputs: string[];
  /** Behaviours for the next chat requests, in order. */
  enqueue(...behaviours: ChatBehaviour[]): void;
  /** The behaviour used when the queue is empty; receives the request (e.g. to echo its language). */
  setDefault(fn: (request: ChatRequestRecord) => ChatBehaviour): void;
  /** Safety-judge requests (kept apart from chatRequests: they never take a queued draft behaviour). */
  judgeRequests: ChatRequestRecord[];
  /** How the judge answers (default: safe). */
  setJudge(fn: (request: ChatRequestRecord) => JudgeBehaviour): void;
  /** Moderation flags any input containing one of these words. */
  setFlaggedWords(words: string[]): void;
  reset(): void;
  close(): Promise<void>;
}

const defaultDraft = (request: ChatRequestRecord): ChatBehaviour => {
  const english = request.messages.some((m) => /Language: English/.test(m.content));
  return english
    ? { draft: { subject: 'We miss you', body: 'It has been a while since your last service. Book again whenever you like.', call_to_action: 'Book now' } }
    : { draft: { subject: 'আবার দেখা হবে?', body: 'আপনার শেষ সেবার পর বেশ কিছুদিন কেটে গেছে। সুবিধামতো সময়ে আবার বুক করুন।', call_to_action: 'এখনই বুক করুন' } };
};

function readBody(req: IncomingMessage): Promise<any> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {});
      } catch (error) {
        reject(error);
      }
    });
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  res.writeHead(status, { ...headers, 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function completion(model: string, message: Record<string, unknown>) {
  return {
    id: `chatcmpl-${Math.random().toString(36).slice(2)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', refusal: null, ...message }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: 50, completion_tokens: 40, total_tokens: 90 },
  };
}

async function behave(res: ServerResponse, model: string, behaviour: ChatBehaviour): Promise<void> {
  if ('delayMs' in behaviour) {
    await new Promise((r) => setTimeout(r, behaviour.delayMs));
    return behave(res, model, behaviour.then);
  }
  if ('status' in behaviour) {
    return send(res, behaviour.status, behaviour.body ?? { error: { message: `simulated ${behaviour.status}`, type: 'server_error', code: null } }, behaviour.headers);
  }
  if ('refusal' in behaviour) return send(res, 200, completion(model, { content: null, refusal: behaviour.refusal }));
  const content = 'content' in behaviour ? behaviour.content : JSON.stringify(behaviour.draft);
  send(res, 200, completion(model, { content }));
}

const safeVerdict = (): JudgeBehaviour => ({ verdict: { safe: true, categories: [], reasons: [], quotes: [] } });

const isJudgeRequest = (body: any) => body?.response_format?.json_schema?.name === 'safety_verdict';

export async function startOpenAiServer(): Promise<TestOpenAiServer> {
  const queue: ChatBehaviour[] = [];
  let fallback = defaultDraft;
  let judge = safeVerdict as (request: ChatRequestRecord) => JudgeBehaviour;
  const judgeRequests: ChatRequestRecord[] = [];
  let flagged: string[] = [];
  const chatRequests: ChatRequestRecord[] = [];
  const moderationInputs: string[] = [];

  const server: Server = createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      if (req.method === 'POST' && req.url === '/v1/chat/completions') {
        const record: ChatRequestRecord = { model: body.model, messages: body.messages, response_format: body.response_format };
        if (isJudgeRequest(body)) {
          judgeRequests.push(record);
          return await behave(res, body.model, judgeAnswer(judge(record)));
        }
        chatRequests.push(record);
        return await behave(res, body.model, queue.shift() ?? fallback(record));
      }
      if (req.method === 'POST' && req.url === '/v1/moderations') {
        const inputs: string[] = Array.isArray(body.input) ? body.input : [String(body.input)];
        moderationInputs.push(...inputs);
        const results = inputs.map((text) => {
          const hit = flagged.some((w) => text.toLowerCase().includes(w.toLowerCase()));
          return { flagged: hit, categories: { harassment: hit }, category_scores: { harassment: hit ? 0.97 : 0.01 } };
        });
        return send(res, 200, { id: `modr-${Date.now()}`, model: body.model ?? 'omni-moderation-latest', results });
      }
      send(res, 404, { error: { message: `no route ${req.method} ${req.url}` } });
    } catch {
      send(res, 400, { error: { message: 'bad request' } });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    chatRequests,
    moderationInputs,
    judgeRequests,
    setJudge: (fn) => {
      judge = fn;
    },
    enqueue: (...b) => queue.push(...b),
    setDefault: (fn) => {
      fallback = fn;
    },
    setFlaggedWords: (words) => {
      flagged = words;
    },
    reset: () => {
      queue.length = 0;
      fallback = defaultDraft;
      judge = safeVerdict;
      flagged = [];
      chatRequests.length = 0;
      judgeRequests.length = 0;
      moderationInputs.length = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
