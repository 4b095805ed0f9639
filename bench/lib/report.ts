/**
 * What every scenario hands back, and how the harness prints it. A figure carries its target
 * so a missed target is reported in the table rather than thrown.
 */
export type ScenarioStatus = 'ok' | 'pending' | 'error';

export interface Figure {
  metric: string;
  value: number | string | null;
  unit?: string;
  /** Human-readable target, e.g. "<= 1000 ms". */
  target?: string;
  /** true met, false missed, undefined when the figure has no target. */
  met?: boolean;
}

export interface ScenarioResult {
  id: number;
  title: string;
  status: ScenarioStatus;
  size: Record<string, number | string>;
  figures: Figure[];
  /** Why a figure is what it is, what is missing (pending), what changed. */
  notes: string[];
  /** Raw measurements (every run), plans, counts: kept in results.json, not printed. */
  details: Record<string, unknown>;
  /** A correctness check that failed (e.g. a customer got two emails): makes the run fail. */
  failedChecks: string[];
  durationMs?: number;
}

export function newResult(id: number, title: string, size: Record<string, number | string> = {}): ScenarioResult {
  return { id, title, status: 'ok', size, figures: [], notes: [], details: {}, failedChecks: [] };
}

export function atMost(value: number, limit: number): boolean {
  return Number.isFinite(value) && value <= limit;
}

export function atLeast(value: number, limit: number): boolean {
  return Number.isFinite(value) && value >= limit;
}

function formatValue(f: Figure): string {
  if (f.value === null || (typeof f.value === 'number' && !Number.isFinite(f.value))) return 'n/a';
  const v = typeof f.value === 'number' ? f.value.toLocaleString('en-US', { maximumFractionDigits: 2 }) : f.value;
  return f.unit ? `${v} ${f.unit}` : String(v);
}

function verdict(f: Figure): string {
  if (f.met === undefined) return '';
  return f.met ? 'met' : 'MISSED';
}

/** The one table `npm run bench` prints: scenario, metric, value, target, verdict. */
export function formatTable(results: ScenarioResult[]): string {
  const rows: string[][] = [['#', 'scenario', 'metric', 'value', 'target', '']];
  for (const r of results) {
    const label = `${r.title}${Object.keys(r.size).length ? ` (${Object.entries(r.size).map(([k, v]) => `${k} ${typeof v === 'number' ? v.toLocaleString('en-US') : v}`).join(', ')})` : ''}`;
    if (r.status !== 'ok' && r.figures.length === 0) {
      rows.push([String(r.id), label, r.status.toUpperCase(), r.notes[0] ?? '', '', '']);
      continue;
    }
    r.figures.forEach((f, i) => {
      rows.push([i === 0 ? String(r.id) : '', i === 0 ? label : '', f.metric, formatValue(f), f.target ?? '', verdict(f)]);
    });
    if (r.status !== 'ok') rows.push(['', '', r.status.toUpperCase(), r.notes[0] ?? '', '', '']);
    for (const check of r.failedChecks) rows.push(['', '', 'CHECK FAILED', check, '', '']);
  }
  const widths = rows[0].map((_, c) => Math.min(70, Math.max(...rows.map((row) => row[c].length))));
  const line = (row: string[]) => row.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(rows[0]), rule, ...rows.slice(1).map(line)].join('\n');
}

/** The same figures as a Markdown table, for bench/README.md and the main README. */
export function formatMarkdown(results: ScenarioResult[]): string {
  const lines = ['| # | scenario | metric | value | target | |', '|---|---|---|---|---|---|'];
  for (const r of results) {
    if (r.figures.length === 0) {
      lines.push(`| ${r.id} | ${r.title} | ${r.status} | ${(r.notes[0] ?? '').replace(/\|/g, '/')} | | |`);
      continue;
    }
    r.figures.forEach((f, i) => {
      lines.push(`| ${i === 0 ? r.id : ''} | ${i === 0 ? r.title : ''} | ${f.metric} | ${formatValue(f)} | ${f.target ?? ''} | ${verdict(f)} |`);
    });
  }
  return lines.join('\n');
}
