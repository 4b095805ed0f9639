import { startOpenAiServer, type ChatRequestRecord, type TestOpenAiServer } from '../../test/helpers/openai-server';

/** Every chat completion answers after this fixed delay, as a remote model would. */
export const LLM_LATENCY_MS = 100;

export function draftFor(request: ChatRequestRecord): Record<string, unknown> {
  const english = request.messages.some((m) => /Language: English/.test(m.content));
  return english
    ? { subject: 'We miss you', body: 'It has been a while since your last service. Book again whenever you like.', call_to_action: 'Book now' }
    : { subject: 'আবার দেখা হবে?', body: 'আপনার শেষ সেবার পর বেশ কিছুদিন কেটে গেছে। সুবিধামতো সময়ে আবার বুক করুন।', call_to_action: 'এখনই বুক করুন' };
}

/**
 * The project's local OpenAI-compatible server (the one the tests use), answering every chat
 * completion with a valid structured draft (and every safety-judge call with "safe") after a
 * fixed latency. The request log is cleared
 * as it goes so a 10,000-message run does not keep every prompt in memory.
 */
export async function startBenchLlm(latencyMs = LLM_LATENCY_MS): Promise<TestOpenAiServer & { completions(): number }> {
  const server = await startOpenAiServer();
  let completions = 0;
  server.setDefault((request) => {
    completions++;
    if (server.chatRequests.length > 100) server.chatRequests.splice(0, server.chatRequests.length - 10);
    if (server.moderationInputs.length > 100) server.moderationInputs.splice(0, server.moderationInputs.length - 10);
    return { delayMs: latencyMs, then: { draft: draftFor(request) } };
  });
  // the safety judge is a second model call per draft, with the same latency
  server.setJudge(() => {
    if (server.judgeRequests.length > 100) server.judgeRequests.splice(0, server.judgeRequests.length - 10);
    return { delayMs: latencyMs, then: { verdict: { safe: true, categories: [], reasons: [], quotes: [] } } };
  });
  return Object.assign(server, { completions: () => completions });
}
