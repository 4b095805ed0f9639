import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { ParsedMail } from 'mailparser';
import { getJson, postJson } from '../helpers/http';
import { startOpenAiServer, type TestOpenAiServer } from '../helpers/openai-server';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { eventually } from '../helpers/wait';
import { createWorker, quietHoursAwayFromNow } from '../coachnova/fixtures';
import { API_KEY, createCustomer, createService, smartEngageEnv } from '../smartengage/fixtures';
import { CHROMIUM, openBrowser, screenshot, seriousAxeFindings, type Browser } from './browser';

/**
 * The operator console in a real browser (Debian chromium through playwright-core) against the
 * real API, worker, Temporal dev server, PostgreSQL and SMTP of the test stack: every page is
 * used the way an operator would, checked by axe, and photographed into test-artifacts/console.
 */
const OPERATOR = 'ops-console@example.test';
const TEMPORAL_UI = 'http://temporal-ui.example.test';
const canaryDraft = { subject: 'Your AC deserves a check-up', body: 'Hello, summer is here and your AC has worked hard. Book a service in one tap.', call_to_action: 'Book now' };

let system: TestSystem;
let llm: TestOpenAiServer;
let browser: Browser;
const axe: Record<string, unknown[]> = {};

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
  llm = await startOpenAiServer();
  system = await startTestSystem({
    env: smartEngageEnv(llm.baseUrl, { SE_ATTRIBUTION_WINDOW_SECONDS: '2', TEMPORAL_UI_URL: TEMPORAL_UI, ...quietHoursAwayFromNow() }),
  });
  await system.db.insertInto('users').values({ email: OPERATOR, full_name: 'Console Operator', role: 'operator', locale: 'en' }).execute();
  browser = await openBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await system?.stop();
  await llm?.close();
});

const mailTo = (email: string) => (m: ParsedMail) => (Array.isArray(m.to) ? m.to : [m.to]).some((t) => t?.text.includes(email));

/** axe on the page as it is; the findings are kept per page and asserted at the end of each step. */
async function checkPage(name: string): Promise<void> {
  await screenshot(browser.page, name);
  axe[name] = await seriousAxeFindings(browser.page);
  expect({ page: name, findings: axe[name] }).toEqual({ page: name, findings: [] });
}

describe('operator console', () => {
  it('signs in with an emailed code, runs a holdout campaign, decides canary drafts, reads a timeline, rolls back a prompt, shows a HIGH-risk worker', async () => {
    const { page } = browser;
    const nav = (name: string) => page.getByRole('navigation').getByRole('link', { name, exact: true });
    const { db } = system;
    const serviceId = await createService(db, { name: 'AC Servicing', name_bn: 'এসি সার্ভিসিং' });
    const bn = [];
    // enough customers for an uplift (30 a group at least, src/smartengage/uplift.ts)
    for (let i = 0; i < 100; i++) bn.push(await createCustomer(db, { serviceId, locale: 'bn', name: `রহিমা খাতুন ${i + 1}`, completedBookings: 1 }));
    const en = [await createCustomer(db, { serviceId, locale: 'en', name: 'Sarah Ahmed' }), await createCustomer(db, { serviceId, locale: 'en', name: 'Imran Khan' })];

    // --- sign-in: email OTP read from the test SMTP server; operators only
    await page.goto(`${system.baseUrl}/console/`);
    await page.getByLabel('Operator email').fill(OPERATOR);
    await checkPage('01-sign-in');
    await page.getByRole('button', { name: 'Email me a code' }).click();
    const mail = await eventually(async () => system.smtp.messages.find(mailTo(OPERATOR)), 20_000);
    const code = /\b(\d{6})\b/.exec(mail.text ?? '')![1];
    await page.getByLabel('Code from the email').fill(code);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Campaigns', level: 1 }).waitFor();

    // --- a campaign with a holdout over the Bengali-speaking customers, watched to the end
    await page.getByLabel('Language').selectOption('bn');
    await page.getByLabel('Run as an experiment').check();
    await page.getByLabel('Experiment name').fill('holdout check');
    await checkPage('02-campaigns');
    await page.getByRole('button', { name: 'Start campaign' }).click();
    await page.getByRole('heading', { name: 'Progress' }).waitFor();
    // generous: on a loaded CI machine 100 reminders take minutes (waits are not speed assertions)
    await page.getByTestId('campaign-status').filter({ hasText: 'COMPLETED' }).waitFor({ timeout: 240_000 });
    expect(await page.getByTestId('count-eligible').textContent()).toBe('100');
    await page.getByTestId('arm-row').first().waitFor();
    // bookings inside the attribution window at about the same rate in both arms: no clear effect
    const jobId = page.url().split('/').pop()!;
    const assigned = await db
      .selectFrom('experiment_assignments as a')
      .innerJoin('experiment_arms as arm', 'arm.id', 'a.arm_id')
      .innerJoin('experiments as e', 'e.id', 'a.experiment_id')
      .select(['a.customer_id', 'a.assigned_at', 'arm.kind'])
      .where('e.campaign_id', '=', jobId)
      .execute();
    for (const [kind, n] of [['holdout', 8], ['template', 9]] as const) {
      for (const a of assigned.filter((x) => x.kind === kind).slice(0, n)) {
        const at = new Date(a.assigned_at.getTime() + 1000);
        await db.insertInto('bookings').values({ customer_id: a.customer_id, service_id: serviceId, status: 'CONFIRMED', scheduled_at: at, created_at: at, total_price: 1500 }).execute();
      }
    }
    await page.getByRole('img', { name: /Uplift against the holdout/ }).waitFor();
    // no booking in either arm: the interval spans zero and the chart says so
    expect(await page.getByRole('img', { name: /Uplift against the holdout/ }).getAttribute('aria-label')).toContain('crosses zero');
    const runLink = page.getByRole('link', { name: /Campaign run .* in the Temporal UI/ });
    expect(await runLink.getAttribute('href')).toMatch(new RegExp(`^${TEMPORAL_UI}/namespaces/default/workflows/`));
    await page.waitForTimeout(500);
    await checkPage('03-campaign');

    // --- a new English reminder version, created beside the one in use, activated as a canary
    await nav('Prompts').click();
    await page.getByTestId('prompt-row').first().waitFor();
    await page.getByRole('button', { name: 'New version' }).click();
    await page.getByRole('heading', { name: /In use now: v1/ }).waitFor();
    await page.getByLabel('Fallback text').fill('Hello {{first_name}}, your home may be ready for another {{service_name}}. Book again in one tap below.');
    await page.getByLabel('Notes (what changed, why)').fill('friendlier wording');
    await checkPage('04-prompt-create');
    await page.getByRole('button', { name: 'Create draft' }).click();
    await page.getByRole('heading', { name: 'v2 · draft' }).waitFor();
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByTestId('preview').waitFor();
    await page.getByLabel(/Canary messages/).fill('2');
    await page.getByRole('button', { name: 'Activate as canary' }).click();
    await page.getByText('v2 is now canary; v1 retired.').waitFor();
    await checkPage('05-prompts');

    // --- an English campaign: both drafts wait for an operator; approve one, reject the other
    llm.setDefault(() => ({ draft: canaryDraft }));
    await nav('Campaigns').click();
    await page.getByLabel('Language').selectOption('en');
    await page.getByRole('button', { name: 'Start campaign' }).click();
    await page.getByRole('heading', { name: 'Progress' }).waitFor();
    const campaignUrl = page.url();
    await nav('Approvals').click();
    await eventually(async () => (await page.getByTestId('approval').count()) === 2, 120_000, 250);
    await page.getByText('Why it waits:').first().waitFor();
    await checkPage('06-approvals');
    const first = page.getByTestId('approval').first();
    const approvedCustomer = await first.getAttribute('data-customer-id');
    await first.getByLabel('Note (optional)').fill('reads well');
    await first.getByRole('button', { name: 'Approve and send the draft' }).click();
    // the queue refreshes without a reload
    await eventually(async () => (await page.getByTestId('approval').count()) === 1, 60_000, 250);
    const second = page.getByTestId('approval').first();
    await second.getByLabel('Note (optional)').fill('too pushy');
    await second.getByRole('button', { name: 'Reject (send the template)' }).click();
    await page.getByText('Nothing waits for approval.').waitFor({ timeout: 60_000 });
    const decisions = await db.selectFrom('message_approvals').select(['customer_id', 'decision', 'note', 'decided_by']).where('customer_id', 'in', en.map((c) => c.id)).execute();
    expect(decisions.map((d) => [d.customer_id === approvedCustomer ? 'approved-one' : 'other', d.decision, d.note, d.decided_by]).sort()).toEqual([
      ['approved-one', 'approve', 'reads well', OPERATOR],
      ['other', 'reject', 'too pushy', OPERATOR],
    ]);
    await page.goBack();
    expect(page.url()).toBe(campaignUrl);
    await page.getByTestId('campaign-status').filter({ hasText: 'COMPLETED' }).waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('count-sent').textContent()).toBe('2');

    // --- the approved customer's timeline, found by email
    const approved = en.find((c) => c.id === approvedCustomer)!;
    await nav('Customers').click();
    await page.getByLabel('Email or customer id').fill(approved.email);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByTestId('message').first().waitFor();
    await page.getByTestId('timeline-event').filter({ hasText: 'approved' }).first().waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('message').first().textContent()).toContain(canaryDraft.subject);
    await checkPage('07-customer');

    // a Bengali name renders with the bundled Bengali font
    await page.getByLabel('Email or customer id').fill(bn[0].email);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('heading', { name: /রহিমা খাতুন 1/ }).waitFor();
    // (a string, evaluated in the page: the test's TypeScript has no DOM types)
    expect(await page.evaluate(`document.fonts.ready.then(() => document.fonts.check('16px "Noto Sans Bengali"', 'রহিমা'))`)).toBe(true);
    await checkPage('08-customer-bengali');

    // --- roll back: v1 (retired) back in use, v2 retired
    await nav('Prompts').click();
    await page.getByRole('button', { name: 'Open v1' }).click();
    await page.getByRole('button', { name: 'Roll back to v1' }).click();
    await page.getByText('v1 is now active; v2 retired.').waitFor();
    await page.locator('[data-testid=prompt-row][data-version="2"][data-status="retired"]').waitFor();
    const versions = await getJson(`${system.baseUrl}/internal/prompts?agent_type=smartengage&message_type=REMINDER&locale=en`, API_KEY);
    expect(versions.body.prompts.map((p: { version: number; status: string }) => [p.version, p.status])).toEqual(expect.arrayContaining([[1, 'active'], [2, 'retired']]));

    // --- CoachNova: a worker whose check-in makes them HIGH risk
    const worker = await createWorker(db, { name: 'করিম মিয়া', locale: 'bn' });
    await postJson(`${system.baseUrl}/internal/ai/coachnova/workers/${worker.id}/check-in`, { score: 2, text: 'খুব ক্লান্ত' }, API_KEY);
    await eventually(async () => (await getJson(`${system.baseUrl}/internal/ai/coachnova/workers/${worker.id}`, API_KEY)).body.risk?.level === 'HIGH', 90_000, 250);
    await nav('CoachNova').click();
    await page.getByRole('link', { name: 'করিম মিয়া' }).click();
    await page.getByTestId('worker-detail').waitFor();
    await page.getByRole('heading', { name: /করিম মিয়া HIGH/ }).waitFor();
    expect(await page.getByRole('link', { name: /Coaching session coaching-.* in the Temporal UI/ }).first().getAttribute('href')).toContain(`/workflows/coaching-${worker.id}`);
    await checkPage('09-coachnova');

    // --- schedules: pause and resume a cadence schedule
    const scheduleId = `console-test-${randomUUID()}`;
    expect((await postJson(`${system.baseUrl}/internal/ai/smartengage/schedules`, { schedule_id: scheduleId, note: 'console test' }, API_KEY)).status).toBe(201);
    try {
      await nav('Schedules').click();
      const card = page.locator('section.card', { has: page.getByRole('heading', { name: scheduleId }) });
      // the schedule listing is eventually consistent; the page polls it
      await card.waitFor({ timeout: 60_000 });
      await card.getByRole('button', { name: 'Pause' }).click();
      await card.getByTestId('schedule-state').filter({ hasText: 'PAUSED' }).waitFor();
      await card.getByRole('button', { name: 'Resume' }).click();
      await card.getByTestId('schedule-state').filter({ hasText: 'ACTIVE' }).waitFor();
      await checkPage('10-schedules');
    } finally {
      await fetch(`${system.baseUrl}/internal/ai/smartengage/schedules/${scheduleId}`, { method: 'DELETE', headers: API_KEY });
    }

    // --- phone width: the pages reflow instead of scrolling sideways (wide tables scroll inside their card)
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [name, heading] of [['Campaigns', 'Campaigns'], ['Approvals', 'Approvals'], ['CoachNova', 'CoachNova board']] as const) {
      await nav(name).click();
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await page.waitForTimeout(300);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      await checkPage(`11-phone-${name.toLowerCase()}`);
    }

    // --- sign-out ends the session: the console asks for a code again
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You signed out.').waitFor();
    await page.getByLabel('Operator email').waitFor();
  }, 900_000);
});
