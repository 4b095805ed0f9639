import type { ParsedMail } from 'mailparser';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { eventually } from '../helpers/wait';
import { openBrowser, type Browser } from './browser';

/** The console's session: it ends by itself when the token expires, and a customer cannot sign in. */
const TTL_SECONDS = 4;
let system: TestSystem;
let browser: Browser;
beforeAll(async () => {
  system = await startTestSystem({ worker: false, env: { JWT_TTL_SECONDS: String(TTL_SECONDS) } });
  await system.db
    .insertInto('users')
    .values([
      { email: 'ops-expiry@example.test', full_name: 'Expiring Operator', role: 'operator', locale: 'en' },
      { email: 'customer-console@example.test', full_name: 'Not An Operator', role: 'customer', locale: 'en' },
    ])
    .execute();
  browser = await openBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

async function signIn(email: string): Promise<void> {
  const { page } = browser;
  await page.goto(`${system.baseUrl}/console/`);
  await page.getByLabel('Operator email').fill(email);
  const before = system.smtp.messages.length;
  await page.getByRole('button', { name: 'Email me a code' }).click();
  const mail = await eventually(async () => system.smtp.messages.slice(before).find((m: ParsedMail) => (Array.isArray(m.to) ? m.to : [m.to]).some((t) => t?.text.includes(email))), 20_000);
  await page.getByLabel('Code from the email').fill(/\b(\d{6})\b/.exec(mail.text ?? '')![1]);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

it('signs the operator out when the token expires', async () => {
  await signIn('ops-expiry@example.test');
  await browser.page.getByRole('heading', { name: 'Campaigns', level: 1 }).waitFor();
  await browser.page.getByText('Your session expired. Sign in again.').waitFor({ timeout: (TTL_SECONDS + 5) * 1000 });
  await browser.page.getByLabel('Operator email').waitFor();
}, 60_000);

it('refuses a customer', async () => {
  await signIn('customer-console@example.test');
  await browser.page.getByText('This console is for operators only.').waitFor();
  expect(await browser.page.getByRole('navigation').count()).toBe(0);
}, 60_000);
