import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createMessagingActivities } from '../../src/activities/messaging';
import { createLogger } from '../../src/lib/logger';
import { createBatcher, createClickBatcher } from '../../src/smartengage/click-batcher';
import { attachDeepLink, createDeepLink, recordDeepLinkClicks, type Click } from '../../src/smartengage/deep-links';
import { customerTimeline } from '../../src/smartengage/decisions';
import { activeTemplateId, recordInput } from '../messaging/fixtures';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { createCustomer, createService } from './fixtures';

/**
 * Group commit of deep-link clicks against the real PostgreSQL: the clicks of a burst are one
 * statement and one transaction, each caller gets its own row, and the batch keeps every rule of
 * a single click (counted, CLICKED once and never downgraded, one timeline entry, one signal owed
 * per first click). No workflow runs here: the outbox rows are only counted, never drained.
 */
let system: TestSystem;
let templateId: string;
let serviceId: string;
let activities: ReturnType<typeof createMessagingActivities>;

beforeAll(async () => {
  system = await startTestSystem({ worker: false });
  templateId = await activeTemplateId(system.db, 'bn');
  serviceId = await createService(system.db);
  activities = createMessagingActivities({ config: system.config, db: system.db, mailer: system.mailer, logger: createLogger('silent'), openai: null });
});
afterAll(async () => {
  await system.stop();
});

interface Reminder {
  messageId: string;
  customerId: string;
  tokenId: string;
}

async function sentReminder(): Promise<Reminder> {
  const workflowId = `batch-test-${randomUUID()}`;
  const customer = await createCustomer(system.db, { serviceId });
  const link = await createDeepLink(system.db, system.config, { customerId: customer.id, serviceId, workflowId, ttlHours: 24, promoCode: null });
  const { messageId } = await activities.recordMessage(recordInput(customer.id, templateId, { workflowId, deepLink: link.url }));
  await attachDeepLink(system.db, link.tokenId, messageId);
  return { messageId, customerId: customer.id, tokenId: link.tokenId };
}

const reminders = (n: number) => Promise.all(Array.from({ length: n }, () => sentReminder()));
const outboxRows = (messageId: string) => system.db.selectFrom('signal_outbox').select(['correlation_id', 'event']).where('message_id', '=', messageId).execute();
const responseOf = async (messageId: string) => (await system.db.selectFrom('ai_messages').select('user_response').where('id', '=', messageId).executeTakeFirstOrThrow()).user_response;
const clickCount = async (tokenId: string) => (await system.db.selectFrom('deep_links').select('click_count').where('token_id', '=', tokenId).executeTakeFirstOrThrow()).click_count;
const clickedEntries = async (customerId: string) => (await customerTimeline(system.db, customerId, 50)).filter((e) => e.kind === 'clicked');
/** The transactions that last wrote these links: one id means one commit. */
const writers = async (tokenIds: string[]) =>
  new Set((await sql<{ xmin: string }>`SELECT xmin::text AS xmin FROM deep_links WHERE token_id = ANY(${tokenIds}::uuid[])`.execute(system.db)).rows.map((r) => r.xmin));

/** A write that counts its batches and can be held open, over the real statement. */
function countingWrite() {
  const batches: Click[][] = [];
  let hold: Promise<void> | undefined;
  return {
    batches,
    holdNext(): () => void {
      let release!: () => void;
      hold = new Promise<void>((resolve) => (release = resolve));
      return release;
    },
    write: async (clicks: Click[]) => {
      batches.push(clicks);
      const gate = hold;
      hold = undefined;
      if (gate) await gate;
      return recordDeepLinkClicks(system.db, clicks);
    },
  };
}

it('writes the clicks of a burst in one statement and one commit, each caller answered with its own link', async () => {
  const links = await reminders(12);
  const counting = countingWrite();
  const batcher = createBatcher(counting.write, { maxBatch: 64, maxWaitMs: 5 });

  const results = await Promise.all(links.map((r, i) => batcher.add({ tokenId: r.tokenId, correlationId: `burst-${i}` })));

  expect(counting.batches.map((b) => b.length)).toEqual([12]);
  results.forEach((result, i) => expect(result).toMatchObject({ tokenId: links[i].tokenId, messageId: links[i].messageId, firstClick: true, signalOwed: true }));
  expect((await writers(links.map((r) => r.tokenId))).size).toBe(1);
  for (const [i, r] of links.entries()) {
    expect(await responseOf(r.messageId)).toBe('CLICKED');
    expect(await clickedEntries(r.customerId)).toHaveLength(1);
    // each signal carries its own click's correlation id
    expect(await outboxRows(r.messageId)).toEqual([{ correlation_id: `burst-${i}`, event: expect.objectContaining({ messageId: r.messageId, response: 'CLICKED' }) }]);
  }
});

it('batches under concurrency: clicks arriving during a write wait for it and go out together, never more than maxBatch at once', async () => {
  const links = await reminders(10);
  const counting = countingWrite();
  const batcher = createBatcher(counting.write, { maxBatch: 4, maxWaitMs: 1000, maxInFlight: 1 });
  const release = counting.holdNext();
  const first = batcher.add({ tokenId: links[0].tokenId });
  await new Promise((resolve) => setImmediate(resolve));
  // the first write is in progress: the next nine queue behind it
  const rest = links.slice(1).map((r) => batcher.add({ tokenId: r.tokenId }));
  expect(batcher.pending).toBe(10);
  release();
  const results = await Promise.all([first, ...rest]);

  expect(counting.batches.map((b) => b.length)).toEqual([1, 4, 4, 1]);
  results.forEach((result, i) => expect(result).toMatchObject({ tokenId: links[i].tokenId, firstClick: true, signalOwed: true }));
  expect(batcher.pending).toBe(0);
});

it('does not hold a lone click back for the wait: with nothing in flight it is written at once', async () => {
  const [lone] = await reminders(1);
  const counting = countingWrite();
  // a wait far longer than any write: a lone click answered sooner did not wait for it
  const batcher = createBatcher(counting.write, { maxWaitMs: 5_000 });
  const started = performance.now();
  expect(await batcher.add({ tokenId: lone.tokenId })).toMatchObject({ tokenId: lone.tokenId, firstClick: true });
  expect(performance.now() - started).toBeLessThan(5_000);
  expect(counting.batches).toEqual([[{ tokenId: lone.tokenId }]]);
});

it('starts another batch once a click has waited maxWaitMs behind a write that has not finished', async () => {
  const [slow, queued] = await reminders(2);
  const counting = countingWrite();
  const batcher = createBatcher(counting.write, { maxWaitMs: 30, maxInFlight: 2 });
  const release = counting.holdNext();
  const held = batcher.add({ tokenId: slow.tokenId });
  await new Promise((resolve) => setImmediate(resolve));

  const queuedAt = performance.now();
  // answered while the first write is still held open: it did not wait for that write...
  expect(await batcher.add({ tokenId: queued.tokenId })).toMatchObject({ tokenId: queued.tokenId, firstClick: true });
  // ...but it did wait for the others that might join it
  expect(performance.now() - queuedAt).toBeGreaterThanOrEqual(29);
  expect(counting.batches.map((b) => b.map((c) => c.tokenId))).toEqual([[slow.tokenId], [queued.tokenId]]);
  release();
  expect(await held).toMatchObject({ tokenId: slow.tokenId, firstClick: true });
});

it('rejects only the requests of a failing batch; that batch writes nothing and the next one is written', async () => {
  const [a, b, c] = await reminders(3);
  const batcher = createClickBatcher(system.db, { maxInFlight: 1 });
  // PostgreSQL refuses a NUL in text: the whole statement fails (the API's correlation ids never carry one)
  const failing = [batcher.add({ tokenId: a.tokenId, correlationId: 'bad\u0000id' }), batcher.add({ tokenId: b.tokenId })];
  const settled = await Promise.allSettled(failing);
  const after = await batcher.add({ tokenId: c.tokenId });

  expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
  expect(after).toMatchObject({ tokenId: c.tokenId, firstClick: true, signalOwed: true });
  // atomic: the failed batch counted no click and stored no CLICKED, so the next click is still the first
  expect(await clickCount(a.tokenId)).toBe(0);
  expect(await clickCount(b.tokenId)).toBe(0);
  expect(await responseOf(b.messageId)).toBeNull();
  expect(await outboxRows(b.messageId)).toEqual([]);
  expect(await batcher.add({ tokenId: b.tokenId })).toMatchObject({ firstClick: true, signalOwed: true });
});

it('counts a token clicked twice in one batch twice, with one CLICKED, one timeline entry and one signal, owed by its earlier click', async () => {
  const [twice, once] = await reminders(2);
  const results = await recordDeepLinkClicks(system.db, [
    { tokenId: twice.tokenId, correlationId: 'twice-1' },
    { tokenId: once.tokenId, correlationId: 'once' },
    { tokenId: twice.tokenId, correlationId: 'twice-2' },
    { tokenId: twice.tokenId, correlationId: 'twice-3' },
  ]);

  expect(results.map((r) => r && { tokenId: r.tokenId, firstClick: r.firstClick, signalOwed: r.signalOwed })).toEqual([
    { tokenId: twice.tokenId, firstClick: true, signalOwed: true },
    { tokenId: once.tokenId, firstClick: true, signalOwed: true },
    { tokenId: twice.tokenId, firstClick: false, signalOwed: false },
    { tokenId: twice.tokenId, firstClick: false, signalOwed: false },
  ]);
  expect(await clickCount(twice.tokenId)).toBe(3);
  expect(await outboxRows(twice.messageId)).toEqual([expect.objectContaining({ correlation_id: 'twice-1' })]);
  expect(await clickedEntries(twice.customerId)).toHaveLength(1);
  expect(await responseOf(twice.messageId)).toBe('CLICKED');

  // a later batch: repeats only, nothing more owed
  const again = await recordDeepLinkClicks(system.db, [{ tokenId: twice.tokenId }, { tokenId: once.tokenId }]);
  expect(again.map((r) => r?.signalOwed)).toEqual([false, false]);
  expect(await clickCount(twice.tokenId)).toBe(4);
  expect(await outboxRows(twice.messageId)).toHaveLength(1);
  expect(await outboxRows(once.messageId)).toHaveLength(1);
});

it('answers unknown and expired links in a batch for themselves: the other clicks are stored as usual', async () => {
  const [live, expired, booked] = await reminders(3);
  await system.db.updateTable('deep_links').set({ expires_at: sql`now() - interval '1 minute'` }).where('token_id', '=', expired.tokenId).execute();
  await activities.recordMessageResponse({ messageId: booked.messageId, response: 'BOOKED', at: new Date().toISOString(), detail: randomUUID() });
  const unknown = randomUUID();

  const results = await recordDeepLinkClicks(system.db, [{ tokenId: unknown }, { tokenId: expired.tokenId }, { tokenId: 'not-a-uuid' }, { tokenId: live.tokenId }, { tokenId: booked.tokenId }]);

  expect(results[0]).toBeNull();
  expect(results[2]).toBeNull();
  // an expired link counts the click but stores no CLICKED and owes no signal (the route answers 410)
  expect(results[1]).toMatchObject({ tokenId: expired.tokenId, firstClick: true, signalOwed: false });
  expect(results[1]!.expiresAt.getTime()).toBeLessThan(Date.now());
  expect(await clickCount(expired.tokenId)).toBe(1);
  expect(await responseOf(expired.messageId)).toBeNull();
  expect(await outboxRows(expired.messageId)).toEqual([]);
  expect(results[3]).toMatchObject({ tokenId: live.tokenId, firstClick: true, signalOwed: true });
  expect(await responseOf(live.messageId)).toBe('CLICKED');
  // never downgraded: a booked message stays BOOKED, its workflow is still told of the click
  expect(results[4]).toMatchObject({ tokenId: booked.tokenId, firstClick: true, signalOwed: true });
  expect(await responseOf(booked.messageId)).toBe('BOOKED');
});

it('keeps concurrent batches over the same links from deadlocking: every click counted, one signal per link', async () => {
  const links = await reminders(8);
  const batcher = createClickBatcher(system.db, { maxBatch: 5, maxWaitMs: 1, maxInFlight: 4 });
  // 200 clicks in a shuffled order, so batches in flight together name the same links in different orders
  const clicks = Array.from({ length: 200 }, (_, i) => links[(i * 5 + Math.floor(i / 8)) % links.length]);
  const results = await Promise.all(clicks.map((r) => batcher.add({ tokenId: r.tokenId })));
  await batcher.drain();

  expect(results.every((r) => r !== null)).toBe(true);
  expect(results.filter((r) => r!.firstClick)).toHaveLength(links.length);
  expect(results.filter((r) => r!.signalOwed)).toHaveLength(links.length);
  for (const r of links) {
    expect(await clickCount(r.tokenId)).toBe(25);
    expect(await outboxRows(r.messageId)).toHaveLength(1);
    expect(await clickedEntries(r.customerId)).toHaveLength(1);
  }
});
