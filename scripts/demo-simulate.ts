/**
 * `npm run demo:simulate`: against a running `npm start`, runs a SmartEngage campaign with an
 * experiment (holdout, template, llm) on the demo customers, then plays the customers' responses
 * over a few minutes of compressed time — clicks through the tracked links (`GET /l/:token`),
 * bookings through `POST /bookings` (with the link's token, or without one as the marketplace's
 * own app would) — with a higher booking rate for the llm arm, and prints the uplift the API
 * reports. Everything goes through the public API: the same paths real traffic takes.
 *
 *   INTERNAL_API_KEY=local-dev-key-0123456789 npm run demo:simulate -- [--job <job id>] [--minutes 2] [--seed 7]
 *
 * Environment: INTERNAL_API_KEY (the one `npm start` runs with; required), API_URL (default
 * PUBLIC_BASE_URL or http://localhost:$PORT).
 */
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: { job: { type: 'string' }, minutes: { type: 'string', default: '2' }, seed: { type: 'string', default: '7' } },
});
const api = (process.env.API_URL ?? process.env.PUBLIC_BASE_URL ?? `http://localhost:${process.env.PORT ?? 3000}`).replace(/\/$/, '');
const apiKey = process.env.INTERNAL_API_KEY;
if (!apiKey) {
  console.error('INTERNAL_API_KEY must be set, to the value `npm start` runs with (e.g. INTERNAL_API_KEY=local-dev-key-0123456789 npm start)');
  process.exit(2);
}
const headers = { 'x-api-key': apiKey, 'content-type': 'application/json' };

/** How each arm's customers respond: chance to click, to book after a click, to book anyway (organic). */
const BEHAVIOUR: Record<string, { click: number; bookAfterClick: number; organic: number }> = {
  holdout: { click: 0, bookAfterClick: 0, organic: 0.1 },
  template: { click: 0.35, bookAfterClick: 0.45, organic: 0.06 },
  llm: { click: 0.55, bookAfterClick: 0.6, organic: 0.06 },
};

/** A small seeded generator (mulberry32), so a run can be repeated. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seeded(Number(args.seed));

async function call(method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${api}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
  return json;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startCampaign(): Promise<string> {
  const started = await call('POST', '/internal/ai/smartengage/run-segment', {
    segment_criteria: { send_window_start: '00:00', send_window_end: '00:00' },
    experiment: {
      name: 'demo: holdout vs template vs llm',
      arms: [
        { name: 'holdout', kind: 'holdout', weight: 1 },
        { name: 'template', kind: 'template', weight: 1 },
        { name: 'llm', kind: 'llm', weight: 1 },
      ],
    },
  });
  console.log(`campaign ${started.job_id}: ${started.estimated_customers} eligible demo customers, experiment ${started.experiment_id}`);
  if (started.estimated_customers === 0) {
    // the usual cause: an earlier campaign (e.g. the prompt walkthrough's) reached every demo customer, and the 24 h frequency cap holds them
    console.log(
      'no customer is eligible: most likely an earlier campaign contacted the demo customers in the last 24 h (frequency cap).\n' +
        'For fresh demo data: stop npm start, `rm -rf var/pglite var/temporal.db`, start it again and re-run this command.',
    );
  }
  return started.job_id;
}

/** How long the campaign may make no progress before the rest are taken to be waiting for their send time. */
const STALL_MS = 20_000;

/**
 * Waits for the campaign to finish. Reminders that wait for a later send time (an arm with
 * `send_time: "personal"`, a send window not open yet) or for an operator's approval keep it
 * running for hours: once nothing has moved for STALL_MS the responses are played for what has
 * been decided so far (the waiting customers can still book without a link).
 */
async function waitForCampaign(jobId: string): Promise<void> {
  let last = '';
  let lastChange = Date.now();
  for (;;) {
    const job = await call('GET', `/internal/ai/smartengage/jobs/${jobId}`);
    const c = job.counts;
    if (job.status === 'COMPLETED' || job.status === 'FAILED' || job.status === 'CANCELLED') {
      console.log(`campaign ${job.status}: sent ${c.sent}, skipped ${JSON.stringify(c.skipped_reasons)}, failed ${c.failed}`);
      return;
    }
    const progress = `${c.eligible}/${c.sent}/${c.skipped}/${c.failed}`;
    if (progress !== last) {
      last = progress;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > STALL_MS) {
      console.log(
        `campaign still RUNNING: sent ${c.sent}, skipped ${JSON.stringify(c.skipped_reasons)}, failed ${c.failed}; ` +
          `${c.in_flight} wait for their send time (e.g. send_time "personal"; the timeline's "scheduled" event says until when)` +
          `${c.awaiting_approval ? ` and ${c.awaiting_approval} for an approval` : ''} — playing responses for what has been sent so far`,
      );
      return;
    }
    await sleep(1000);
  }
}

interface Assignment {
  customer_id: string;
  arm: string;
  kind: 'holdout' | 'template' | 'llm';
  deep_link: string | null;
}

async function assignments(jobId: string): Promise<Assignment[]> {
  const all: Assignment[] = [];
  let after: string | null = null;
  do {
    const page: { assignments: Assignment[]; next_after: string | null } = await call('GET', `/internal/analytics/smartengage/experiments/${jobId}/assignments${after ? `?after=${after}` : ''}`);
    all.push(...page.assignments);
    after = page.next_after;
  } while (after);
  return all;
}

/** A click on the reminder's tracked link: the API records it and redirects to the booking page. */
async function click(deepLink: string): Promise<{ token: string; serviceId: string | null }> {
  const path = new URL(deepLink).pathname;
  const response = await fetch(`${api}${path}`, { redirect: 'manual' });
  const landing = new URL(response.headers.get('location') ?? deepLink);
  return { token: path.split('/').pop()!, serviceId: landing.searchParams.get('service') };
}

async function book(customerId: string, serviceId: string, token?: string): Promise<void> {
  const scheduled = new Date(Date.now() + (2 + Math.floor(random() * 5)) * 86_400_000);
  await call('POST', '/bookings', { customer_id: customerId, service_id: serviceId, scheduled_at: scheduled.toISOString(), ...(token ? { deep_link_token: token } : {}) });
}

async function main(): Promise<void> {
  const jobId = args.job ?? (await startCampaign());
  await waitForCampaign(jobId);
  const people = await assignments(jobId);
  const services: Array<{ id: string }> = (await call('GET', '/services')).services ?? [];
  if (services.length === 0) throw new Error('no active services');
  const spanMs = Number(args.minutes) * 60_000;
  const plays = people.map((person) => ({ person, atMs: random() * spanMs }));
  plays.sort((a, b) => a.atMs - b.atMs);
  console.log(`playing ${people.length} customers' responses over ${args.minutes} minute(s)…`);
  const started = Date.now();
  const tally: Record<string, { clicks: number; bookings: number }> = {};
  for (const { person, atMs } of plays) {
    const wait = started + atMs - Date.now();
    if (wait > 0) await sleep(wait);
    const behaviour = BEHAVIOUR[person.kind];
    const counts = (tally[person.arm] ??= { clicks: 0, bookings: 0 });
    let token: string | undefined;
    let serviceId = services[Math.floor(random() * services.length)].id;
    if (person.deep_link && random() < behaviour.click) {
      const clicked = await click(person.deep_link);
      token = clicked.token;
      if (clicked.serviceId) serviceId = clicked.serviceId;
      counts.clicks++;
      if (random() < behaviour.bookAfterClick) {
        await book(person.customer_id, serviceId, token);
        counts.bookings++;
        continue;
      }
    }
    if (random() < behaviour.organic) {
      // booked through the app without the link: still a conversion, read from the bookings table
      await book(person.customer_id, serviceId);
      counts.bookings++;
    }
  }
  console.log('played:', JSON.stringify(tally));

  const report = await call('GET', `/internal/analytics/smartengage/experiments/${jobId}`);
  const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)} %`);
  console.log(`\n${report.name} (window closes ${report.window_closes_at})`);
  console.log(['arm', 'kind', 'customers', 'sent', 'clicked', 'booked', 'rate', 'uplift', '95 % CI', 'p'].join('\t'));
  for (const arm of report.arms) {
    const u = arm.uplift_vs_holdout;
    console.log(
      [arm.name, arm.kind, arm.customers, arm.sent, arm.clicked, arm.booked, pct(arm.booking_rate), u ? pct(u.absolute) : arm.uplift_note, u ? `${pct(u.ci95[0])} … ${pct(u.ci95[1])}` : '', u ? u.p_value.toFixed(4) : ''].join('\t'),
    );
  }
  console.log(`\nfull report: curl -H 'x-api-key: …' ${api}/internal/analytics/smartengage/experiments/${jobId}`);
  const example = people.find((p) => p.kind === 'holdout') ?? people[0];
  if (example) console.log(`a customer's timeline: curl -H 'x-api-key: …' ${api}/internal/ai/smartengage/customers/${example.customer_id}/timeline`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
