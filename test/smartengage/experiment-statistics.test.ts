import { randomUUID } from 'node:crypto';
import { assignArm, assignmentDraw } from '../../src/smartengage/arm-assignment';
import { ExperimentSpec } from '../../src/smartengage/experiment-spec';
import { newcombeInterval, twoProportionZTest, upliftVsHoldout, waldInterval, wilsonInterval } from '../../src/smartengage/uplift';

describe('arm assignment', () => {
  const arms = [
    { name: 'holdout', weight: 0.2 },
    { name: 'template', weight: 0.3 },
    { name: 'llm', weight: 0.5 },
  ];
  const experimentId = '6f1c3a52-7d7e-4d0b-9a55-0d9a3c1e2b10';
  // fixed ids, so the figures below are the same on every run
  const customers = Array.from({ length: 5000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);

  it('gives each arm its weight within ±3 points on 5,000 customers', () => {
    const counts: Record<string, number> = { holdout: 0, template: 0, llm: 0 };
    for (const c of customers) counts[assignArm(experimentId, c, arms).name]++;
    for (const arm of arms) expect(Math.abs(counts[arm.name] / customers.length - arm.weight)).toBeLessThanOrEqual(0.03);
  });

  it('is the same for a customer every time, and independent between experiments', () => {
    const first = customers.map((c) => assignArm(experimentId, c, arms).name);
    const again = customers.map((c) => assignArm(experimentId, c, arms).name);
    expect(again).toEqual(first);
    // pinned: sha256("<experiment>:<customer>") starts acf1aa9cda576…, whose first 52 bits / 2^52 = 0.6755625…;
    // the draw (and so every arm already given) must not change between releases
    expect(assignmentDraw(experimentId, customers[0])).toBeCloseTo(0xacf1aa9cda576 / 2 ** 52, 15);
    const other = randomUUID();
    const differ = customers.filter((c) => assignArm(other, c, arms).name !== assignArm(experimentId, c, arms).name).length;
    // independent draws disagree for 1 − (0.2² + 0.3² + 0.5²) = 62 % of customers
    expect(differ / customers.length).toBeGreaterThan(0.55);
    expect(differ / customers.length).toBeLessThan(0.69);
  });

  it('draws uniformly in [0, 1)', () => {
    const draws = customers.map((c) => assignmentDraw(experimentId, c));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
  });

  it('puts everyone in a single arm, and accepts weights that do not sum to 1', () => {
    expect(new Set(customers.slice(0, 50).map((c) => assignArm(experimentId, c, [{ name: 'only', weight: 3 }]).name))).toEqual(new Set(['only']));
    const counts = { a: 0, b: 0 };
    for (const c of customers) counts[assignArm(experimentId, c, [{ name: 'a', weight: 1 }, { name: 'b', weight: 3 }]).name as 'a' | 'b']++;
    expect(Math.abs(counts.a / customers.length - 0.25)).toBeLessThanOrEqual(0.03);
  });
});

describe('experiment specification', () => {
  it('accepts arms with positive weights and unique names', () => {
    expect(ExperimentSpec.safeParse({ arms: [{ name: 'h', kind: 'holdout', weight: 1 }, { name: 'l', kind: 'llm', weight: 1, prompt_version: 2, send_time: 'personal' }] }).success).toBe(true);
  });

  it.each([
    ['no arms', { arms: [] }],
    ['a duplicate name', { arms: [{ name: 'a', kind: 'holdout', weight: 1 }, { name: 'a', kind: 'llm', weight: 1 }] }],
    ['a zero weight', { arms: [{ name: 'a', kind: 'template', weight: 0 }] }],
    ['a negative weight', { arms: [{ name: 'a', kind: 'template', weight: -1 }] }],
    ['a prompt version on a template arm', { arms: [{ name: 'a', kind: 'template', weight: 1, prompt_version: 2 }] }],
    ['a send time on the holdout', { arms: [{ name: 'a', kind: 'holdout', weight: 1, send_time: 'personal' }] }],
    ['an unknown kind', { arms: [{ name: 'a', kind: 'sms', weight: 1 }] }],
    ['an unknown field', { arms: [{ name: 'a', kind: 'llm', weight: 1, colour: 'red' }] }],
  ])('refuses %s', (_what, spec) => {
    expect(ExperimentSpec.safeParse(spec).success).toBe(false);
  });
});

describe('two-proportion statistics against published worked examples', () => {
  it('z-test: Stat Trek, "Hypothesis test for difference between proportions", example 1 (cold vaccine, 38/100 women vs 51 % of 200 men): z = −2.13, P = 0.033', () => {
    // https://stattrek.com/hypothesis-test/difference-in-proportions — SE 0.0610, z −2.13, two-tailed P 0.0332 (from z rounded to 2 places)
    const { z, p_value } = twoProportionZTest({ successes: 38, n: 100 }, { successes: 102, n: 200 });
    expect(z).toBeCloseTo(-2.13, 2);
    expect(p_value).toBeCloseTo(0.033, 3);
  });

  // Newcombe RG. Interval estimation for the difference between independent proportions:
  // comparison of eleven methods. Statistics in Medicine 1998;17:873–890, Table II.
  it.each([
    // example, a, b, Wald (method 1), score-based hybrid (method 10)
    ['(a) 56/70 − 48/80', { successes: 56, n: 70 }, { successes: 48, n: 80 }, [0.0575, 0.3425], [0.0524, 0.3339]],
    ['(b) 9/10 − 3/10', { successes: 9, n: 10 }, { successes: 3, n: 10 }, [0.2605, 0.9395], [0.1705, 0.809]],
  ])('95 %% intervals: Newcombe 1998 Table II example %s', (_name, a, b, wald, newcombe) => {
    const [wl, wu] = waldInterval(a, b);
    expect(wl).toBeCloseTo(wald[0], 4);
    expect(wu).toBeCloseTo(wald[1], 4);
    const [nl, nu] = newcombeInterval(a, b);
    expect(nl).toBeCloseTo(newcombe[0], 4);
    expect(nu).toBeCloseTo(newcombe[1], 4);
  });

  it('Newcombe 1998 Table II example (c) 6/7 − 2/7 and (e) 5/56 − 0/29 (a zero count), method 10', () => {
    const c = newcombeInterval({ successes: 6, n: 7 }, { successes: 2, n: 7 });
    expect(c[0]).toBeCloseTo(0.0582, 4);
    expect(c[1]).toBeCloseTo(0.8062, 4);
    const e = newcombeInterval({ successes: 5, n: 56 }, { successes: 0, n: 29 });
    expect(e[0]).toBeCloseTo(-0.0381, 4);
    expect(e[1]).toBeCloseTo(0.1926, 4);
  });

  it('uplift against the holdout: absolute, relative, interval and p-value', () => {
    const result = upliftVsHoldout({ successes: 56, n: 70 }, { successes: 48, n: 80 });
    expect(result.reason).toBeNull();
    expect(result.uplift!.absolute).toBeCloseTo(0.2, 10);
    expect(result.uplift!.relative).toBeCloseTo(0.2 / 0.6, 10);
    expect(result.uplift!.ci95[0]).toBeCloseTo(0.0524, 4);
    expect(result.uplift!.ci95[1]).toBeCloseTo(0.3339, 4);
    // pooled z-test worked by hand: p̂ = 104/150, z = 0.2 / sqrt(p̂(1−p̂)(1/70 + 1/80)) = 2.6485 → P = 2(1 − Φ(2.6485)) = 0.0080
    expect(result.uplift!.p_value).toBeCloseTo(0.008, 4);
  });

  it('says "not enough data" instead of printing noise', () => {
    expect(upliftVsHoldout({ successes: 3, n: 10 }, { successes: 1, n: 10 })).toEqual({ uplift: null, reason: expect.stringMatching(/^not enough data/) });
    // enough customers, but two bookings in all: the normal approximation does not hold
    expect(upliftVsHoldout({ successes: 2, n: 100 }, { successes: 0, n: 100 })).toEqual({ uplift: null, reason: expect.stringMatching(/^not enough data/) });
    expect(upliftVsHoldout({ successes: 20, n: 100 }, { successes: 8, n: 100 }).uplift).not.toBeNull();
  });
});

describe('edge cases of the comparison', () => {
  it('gives no relative uplift when the holdout booked nothing (no division by zero), but still the absolute one', () => {
    const result = upliftVsHoldout({ successes: 20, n: 100 }, { successes: 0, n: 100 });
    expect(result.reason).toBeNull();
    expect(result.uplift!.relative).toBeNull();
    expect(result.uplift!.absolute).toBeCloseTo(0.2, 10);
    const [low, high] = result.uplift!.ci95;
    expect(low).toBeGreaterThan(0);
    expect(high).toBeLessThanOrEqual(1);
  });

  it('names both group sizes when one group is too small, even if the other is large', () => {
    expect(upliftVsHoldout({ successes: 300, n: 1000 }, { successes: 5, n: 29 }).reason).toMatch(/arm 1000, holdout 29/);
  });

  it('sees no difference (z 0, p 1) when nobody or everybody booked, instead of dividing by a zero standard error', () => {
    expect(twoProportionZTest({ successes: 0, n: 50 }, { successes: 0, n: 50 })).toEqual({ z: 0, p_value: 1 });
    expect(twoProportionZTest({ successes: 50, n: 50 }, { successes: 40, n: 40 })).toEqual({ z: 0, p_value: 1 });
  });

  it('keeps the interval inside [−1, 1] at the extremes (all of one arm booked, none of the other)', () => {
    const [low, high] = newcombeInterval({ successes: 40, n: 40 }, { successes: 0, n: 40 });
    expect(low).toBeGreaterThan(0.8);
    expect(high).toBeLessThanOrEqual(1);
  });

  it('Wilson interval at 0/10 and 10/10: [0, 0.2775] and [0.7225, 1], never outside [0, 1] (40/40 rounded past 1)', () => {
    const none = wilsonInterval({ successes: 0, n: 10 });
    expect(none[0]).toBeGreaterThanOrEqual(0);
    expect(none[0]).toBeCloseTo(0, 12);
    expect(none[1]).toBeCloseTo(0.2775, 4);
    const all = wilsonInterval({ successes: 10, n: 10 });
    expect(all[0]).toBeCloseTo(0.7225, 4);
    expect(all[1]).toBeLessThanOrEqual(1);
    expect(all[1]).toBeCloseTo(1, 12);
    // at 40/40 the unclamped upper bound rounded to 1.0000000000000002
    expect(wilsonInterval({ successes: 40, n: 40 })[1]).toBe(1);
  });

  it('refuses an experiment without arms rather than assigning nobody', () => {
    expect(() => assignArm('6f1c3a52-7d7e-4d0b-9a55-0d9a3c1e2b10', randomUUID(), [])).toThrow(/at least one arm/);
  });
});
