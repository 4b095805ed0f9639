import { Router } from 'express';
import type { MessageType } from '../../db/types';
import { z } from 'zod';
import { HttpError, notFound } from '../../lib/errors';
import { createOpenAiClient } from '../../llm/openai-client';
import {
  ActivateBody,
  ActivatedSchema,
  CreatedPromptSchema,
  CreatePromptBody,
  ListPromptsQuery,
  PreviewBody,
  PreviewSchema,
  PromptDetailSchema,
  PromptIdParams,
  PromptListSchema,
} from '../../prompts/schemas';
import { failedTemplateChecks } from '../../prompts/template-check';
import { forgetJudgePrompts, judgePromptProblems } from '../../safety/judge-prompt';
import { replyIntentPromptProblems } from '../../replies/intent-prompt';
import { previewPromptVersion } from '../../prompts/preview';
import { activatePromptVersion, createPromptVersion, findPromptVersion, listPromptVersions, promptVersionDetail } from '../../prompts/versions';
import type { ApiDeps } from '../deps';
import { actorOf } from '../middleware/auth';
import { errorResponses, openApiRegistry } from '../openapi';
import { parseBody, parseParams, parseQuery } from '../validate';

registerOpenApi();

/** `/internal/prompts`: prompt versions of both agents as a lifecycle (DESIGN.md Part 2). */
export function promptsRouter({ config, db }: ApiDeps): Router {
  const router = Router();
  const openai = createOpenAiClient(config);
  const llm = { client: openai, model: config.OPENAI_MODEL };

  router.get('/', async (req, res) => {
    const filter = parseQuery(ListPromptsQuery, req);
    res.json({ prompts: await listPromptVersions(db, filter) });
  });

  router.post('/', async (req, res) => {
    const body = parseBody(CreatePromptBody, req);
    if (body.agent_type === 'safety') {
      // the judge's policy: no template to check, but a prompt that could not judge safely is refused
      const problems = judgePromptProblems(body);
      if (problems.length > 0) {
        throw new HttpError(422, 'invalid_judge_prompt', `the judge prompt fails: ${problems.map((c) => c.name).join(', ')}`, {
          failed_checks: problems.map((c) => ({ name: c.name, detail: c.detail ?? null })),
        });
      }
      res.status(201).json(await createPromptVersion(db, body, actorOf(req)));
      return;
    }
    if (body.message_type === 'REPLY_INTENT') {
      // the reply classifier: no template either, but a prompt that could not read replies safely is refused
      const problems = replyIntentPromptProblems(body);
      if (problems.length > 0) {
        throw new HttpError(422, 'invalid_reply_intent_prompt', `the reply classifier prompt fails: ${problems.map((c) => c.name).join(', ')}`, {
          failed_checks: problems.map((c) => ({ name: c.name, detail: c.detail ?? null })),
        });
      }
      res.status(201).json(await createPromptVersion(db, body, actorOf(req)));
      return;
    }
    const failed = await failedTemplateChecks(openai, { ...body, message_type: body.message_type as MessageType, fallback_subject: body.fallback_subject!, fallback_text: body.fallback_text! });
    if (failed.length > 0) {
      throw new HttpError(422, 'unsafe_template', `the fallback template fails: ${failed.map((c) => c.name).join(', ')}`, {
        failed_checks: failed.map((c) => ({ name: c.name, detail: c.detail ?? null })),
      });
    }
    res.status(201).json(await createPromptVersion(db, body, actorOf(req)));
  });

  router.get('/:id', async (req, res) => {
    const { id } = parseParams(PromptIdParams, req);
    const detail = await promptVersionDetail(db, id);
    if (!detail) throw notFound('prompt version');
    res.json(detail);
  });

  router.post('/:id/preview', async (req, res) => {
    const { id } = parseParams(PromptIdParams, req);
    const { customer_id, draft, reply, message } = parseBody(PreviewBody, req);
    const version = await findPromptVersion(db, id);
    if (!version) throw notFound('prompt version');
    res.json(await previewPromptVersion(db, config, llm, version, customer_id, draft, { reply, message }));
  });

  router.post('/:id/activate', async (req, res) => {
    const { id } = parseParams(PromptIdParams, req);
    const { canary_messages } = parseBody(ActivateBody, req);
    const activated = await activatePromptVersion(db, id, { canaryMessages: canary_messages, defaultCanary: config.SE_CANARY_MESSAGES }, actorOf(req));
    // this process's judge reads the new version at once; other workers within JUDGE_PROMPT_CACHE_MS
    // (the reply classifier reads the active version on every reply: no cache to forget)
    forgetJudgePrompts();
    res.json(activated);
  });

  return router;
}

function registerOpenApi(): void {
  const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
  const body = <T extends z.ZodType>(schema: T) => ({ body: { content: { 'application/json': { schema } } } });
  const PromptList = openApiRegistry.register('PromptVersionList', PromptListSchema);
  const PromptDetail = openApiRegistry.register('PromptVersion', PromptDetailSchema);
  const Preview = openApiRegistry.register('PromptPreview', PreviewSchema);
  const Activated = openApiRegistry.register('PromptActivated', ActivatedSchema);
  const Created = openApiRegistry.register('PromptCreated', CreatedPromptSchema);
  const tags = ['prompts'];
  openApiRegistry.registerPath({
    method: 'get',
    path: '/internal/prompts',
    summary: 'Prompt versions of both agents, newest first per (agent, type, locale)',
    tags,
    request: { query: ListPromptsQuery },
    responses: { 200: json(PromptList, 'versions'), ...errorResponses(401, 403, 422) },
  });
  openApiRegistry.registerPath({
    method: 'post',
    path: '/internal/prompts',
    summary: 'Create a draft version (never edited afterwards)',
    description:
      'The fallback template, filled with a demo context, must pass the safety rules, and every `{{placeholder}}` must be one the message type fills; otherwise 422 naming the failed checks. ' +
      'A judge version (agent_type `safety`, message_type `JUDGE`) has no fallback template: its user_prompt must quote `{{draft}}` between `<<<` and `>>>` and give `{{facts}}`, and its policy must define every verdict category; otherwise 422 `invalid_judge_prompt`. ' +
      'A reply-classifier version (agent_type `smartengage`, message_type `REPLY_INTENT`, locale `en`) has no fallback template either: its user_prompt must quote `{{reply_json}}` between `<<<REPLY` and `REPLY>>>` and give `{{reply_date}}`, `{{message_type}}` and `{{message_json}}`, and its system prompt must name every intent; otherwise 422 `invalid_reply_intent_prompt`.',
    tags,
    request: body(CreatePromptBody),
    responses: { 201: json(Created, 'created as a draft'), ...errorResponses(401, 403, 422) },
  });
  openApiRegistry.registerPath({
    method: 'get',
    path: '/internal/prompts/{id}',
    summary: 'One version with its text and its audit trail (who did what, when)',
    tags,
    request: { params: PromptIdParams },
    responses: { 200: json(PromptDetail, 'the version'), ...errorResponses(401, 403, 404, 422) },
  });
  openApiRegistry.registerPath({
    method: 'post',
    path: '/internal/prompts/{id}/preview',
    summary: 'What this version would write (for a demo context or a real customer) or how it would classify a reply; nothing stored or sent',
    description:
      'A judge version is previewed on `draft` (or a demo reminder): the rules and this version\'s verdict, with the demo context as the facts. ' +
      'A reply-classifier version is previewed on `reply` (and `message`, the text it answers; or a demo reply): the rules, then this version\'s classification.',
    tags,
    request: { params: PromptIdParams, ...body(PreviewBody) },
    responses: { 200: json(Preview, 'the draft and its safety verdict, or the classification of the reply'), ...errorResponses(401, 403, 404, 422) },
  });
  openApiRegistry.registerPath({
    method: 'post',
    path: '/internal/prompts/{id}/activate',
    summary: 'Use this version for new messages (as a canary first); the one before is retired; a retired version is a rollback',
    description: '`canary_messages` defaults to SE_CANARY_MESSAGES for a new SmartEngage reminder version and to 0 for a rollback and for CoachNova, judge and reply-classifier versions (which cannot be canaries).',
    tags,
    request: { params: PromptIdParams, ...body(ActivateBody) },
    responses: { 200: json(Activated, 'in use'), ...errorResponses(401, 403, 404, 409, 422) },
  });
}
