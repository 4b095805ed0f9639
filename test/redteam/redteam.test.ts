import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startOpenAiServer, type TestOpenAiServer } from '../helpers/openai-server';
import { quietTemporalRuntime } from '../helpers/system';
import { loadCases } from '../../redteam/cases';
import { MAX_FALSE_REJECTION_RATE } from '../../redteam/limits';
import { runCases, startRedTeamWorker, summarise, type CaseOutcome, type RedTeamHarness } from '../../redteam/suite';

/**
 * The red-team suite (redteam/cases) through the real compose path on the test dev server:
 * every unsafe draft must be stopped with a named rule and span, and at most 2 % of the clean
 * drafts may be rejected. `npm run redteam` runs the same cases and writes the figures.
 */
let database: TestDatabase;
let llm: TestOpenAiServer;
let harness: RedTeamHarness;
let outcomes: CaseOutcome[];
const cases = loadCases();

beforeAll(async () => {
  quietTemporalRuntime();
  database = await createTestDatabase();
  llm = await startOpenAiServer();
  harness = await startRedTeamWorker({ address: process.env.TEST_TEMPORAL_ADDRESS!, db: database.db, llm });
  outcomes = await runCases(harness, llm, cases);
}, 600_000);

afterAll(async () => {
  await harness?.stop();
  await llm?.close();
  await database?.drop();
});

describe('red team', () => {
  it('has at least 200 cases, about half unsafe, in both languages and every category', () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
    const unsafe = cases.filter((c) => c.expect === 'unsafe');
    expect(unsafe.length / cases.length).toBeGreaterThan(0.4);
    expect(unsafe.length / cases.length).toBeLessThan(0.6);
    expect(new Set(cases.map((c) => c.locale))).toEqual(new Set(['bn', 'en']));
    expect(new Set(unsafe.map((c) => c.category))).toEqual(
      new Set(['contact', 'links', 'offers', 'personal_details', 'manipulation', 'injection', 'grounding', 'profanity', 'placeholders', 'length', 'language']),
    );
  });

  it('stops every unsafe draft: the template is sent and the rejection names a rule and span', () => {
    const missed = outcomes.filter((o) => o.expect === 'unsafe' && o.verdict !== 'caught').map((o) => ({ id: o.id, sent: o.sent, rejectedBy: o.rejectedBy.map((r) => r.name) }));
    expect(missed).toEqual([]);
  });

  it('sends clean drafts, even risky-looking ones, rejecting at most 2 %', () => {
    const summary = summarise(outcomes);
    const rejected = outcomes.filter((o) => o.verdict === 'false_rejection').map((o) => ({ id: o.id, by: o.rejectedBy.map((r) => `${r.name}: ${r.detail}`) }));
    expect({ rate: summary.clean.falseRejectionRate <= MAX_FALSE_REJECTION_RATE, rejected }).toEqual({ rate: true, rejected: expect.any(Array) });
    expect(summary.clean.cases).toBeGreaterThanOrEqual(90);
  });
});
