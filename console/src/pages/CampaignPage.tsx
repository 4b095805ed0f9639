import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { Bar, BarChart, CartesianGrid, Cell, ErrorBar, LabelList, ReferenceLine, ResponsiveContainer, Scatter, ComposedChart, Tooltip, XAxis, YAxis } from 'recharts';
import { ApiError } from '../api';
import { useCall } from '../session';
import { Card, Errors, Loading, pct, RunLink, when } from '../components';
import { Progress, Reasons, type Counts } from './Campaigns';

interface Job {
  job_id: string;
  status: string;
  workflow_id: string;
  criteria: Record<string, unknown>;
  estimated_customers: number;
  counts: Counts;
  responses: Record<string, number>;
  created_at: string;
  finished_at: string | null;
  error: string | null;
}
interface Funnel {
  total: { counts: { eligible: number | null; sent: number; delivered: number; clicked: number; booked: number; failed: number } };
}
interface Arm {
  name: string;
  kind: string;
  customers: number;
  sent: number;
  clicked: number;
  booked: number;
  booking_rate: number | null;
  uplift_vs_holdout: { absolute: number; relative: number | null; ci95: [number, number]; p_value: number } | null;
  uplift_note: string | null;
}
interface Experiment {
  name: string | null;
  window_closes_at: string | null;
  arms: Arm[];
}

const FINAL = ['COMPLETED', 'FAILED', 'CANCELLED'];

export function CampaignPage() {
  const { id } = useParams();
  const call = useCall();
  const job = useQuery({
    queryKey: ['job', id],
    queryFn: () => call<Job>(`/internal/ai/smartengage/jobs/${id}`),
    refetchInterval: (q) => (q.state.data && FINAL.includes(q.state.data.status) ? 10_000 : 1500),
  });
  const funnel = useQuery({ queryKey: ['funnel', id], queryFn: () => call<Funnel>(`/internal/analytics/smartengage?campaign_id=${id}&from=2000-01-01`), refetchInterval: 3000 });
  const experiment = useQuery({
    queryKey: ['experiment', id],
    queryFn: () => call<Experiment>(`/internal/analytics/smartengage/experiments/${id}`).catch((e) => (e instanceof ApiError && e.status === 404 ? null : Promise.reject(e))),
    refetchInterval: 3000,
  });
  if (job.isLoading) return <Loading what="the campaign" />;
  if (!job.data) return <Errors error={job.error} />;
  const j = job.data;
  const f = funnel.data?.total.counts;
  const funnelData = f
    ? [
        { step: 'Eligible', n: f.eligible ?? j.counts.eligible },
        { step: 'Sent', n: f.sent },
        { step: 'Delivered', n: f.delivered },
        { step: 'Clicked', n: f.clicked },
        { step: 'Booked', n: f.booked },
      ]
    : [];
  return (
    <>
      <p><Link to="/campaigns">← Campaigns</Link></p>
      <h1>Campaign {when(j.created_at)}</h1>
      <Card title="Progress" id="progress">
        <p>
          <span className={`status s-${j.status.toLowerCase()}`} data-testid="campaign-status">{j.status}</span> <Progress counts={j.counts} label="Campaign progress" /> <RunLink workflowId={j.workflow_id} label="Campaign run" />
        </p>
        <dl className="counts">
          <div><dt>Eligible</dt><dd data-testid="count-eligible">{j.counts.eligible}</dd></div>
          <div><dt>Started</dt><dd>{j.counts.sent + j.counts.failed + j.counts.in_flight + j.counts.awaiting_approval}</dd></div>
          <div><dt>Sent</dt><dd data-testid="count-sent">{j.counts.sent}</dd></div>
          <div><dt>Skipped</dt><dd data-testid="count-skipped">{j.counts.skipped} <Reasons reasons={j.counts.skipped_reasons} /></dd></div>
          <div><dt>Failed</dt><dd>{j.counts.failed}</dd></div>
          <div><dt>Waiting approval</dt><dd>{j.counts.awaiting_approval}</dd></div>
        </dl>
        {j.error && <p className="error">{j.error}</p>}
      </Card>
      <Card title="Funnel" id="funnel">
        <Errors error={funnel.error} />
        {f && (
          <figure>
            <div className="chart" role="img" aria-label={`Funnel: ${funnelData.map((d) => `${d.step} ${d.n}`).join(', ')}`}>
              <ResponsiveContainer width="100%" height={240}>
                <BarChart data={funnelData} margin={{ top: 20, right: 10, left: 0, bottom: 0 }}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="step" />
                  <YAxis allowDecimals={false} />
                  <Tooltip />
                  <Bar dataKey="n" name="customers" fill="#1f5fa8" isAnimationActive={false}>
                    <LabelList dataKey="n" position="top" />
                  </Bar>
                </BarChart>
              </ResponsiveContainer>
            </div>
            <figcaption>Eligible → sent → delivered → clicked → booked for this campaign.</figcaption>
          </figure>
        )}
      </Card>
      {experiment.data && <ExperimentCharts experiment={experiment.data} />}
      <Errors error={experiment.error} />
    </>
  );
}

function ExperimentCharts({ experiment }: { experiment: Experiment }) {
  const rates = experiment.arms.map((a) => ({ arm: a.name, rate: a.booking_rate === null ? 0 : +(a.booking_rate * 100).toFixed(2) }));
  const uplifts = experiment.arms
    .filter((a) => a.uplift_vs_holdout)
    .map((a) => {
      const u = a.uplift_vs_holdout!;
      const [lo, hi] = u.ci95.map((x) => +(x * 100).toFixed(2));
      const est = +(u.absolute * 100).toFixed(2);
      const crosses = lo <= 0 && hi >= 0;
      return { arm: a.name, est, err: [est - lo, hi - est] as [number, number], lo, hi, crosses, verdict: crosses ? 'crosses 0: no clear effect' : est > 0 ? 'above 0: uplift' : 'below 0: worse' };
    });
  return (
    <Card title={`Experiment${experiment.name ? `: ${experiment.name}` : ''}`} id="experiment">
      <p>Attribution window closes {when(experiment.window_closes_at)}.</p>
      <div className="two">
        <figure>
          <div className="chart" role="img" aria-label={`Booking rate per arm: ${rates.map((r) => `${r.arm} ${r.rate} %`).join(', ')}`}>
            <ResponsiveContainer width="100%" height={220}>
              <BarChart data={rates} margin={{ top: 20, right: 10, left: 0, bottom: 0 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="arm" />
                <YAxis unit=" %" />
                <Bar dataKey="rate" name="booking rate" fill="#2e7d32" isAnimationActive={false}>
                  <LabelList dataKey="rate" position="top" formatter={(v: unknown) => `${v} %`} />
                </Bar>
              </BarChart>
            </ResponsiveContainer>
          </div>
          <figcaption>Booking rate per arm.</figcaption>
        </figure>
        <figure>
          {uplifts.length === 0 ? (
            <p>No uplift yet: {experiment.arms.map((a) => a.uplift_note).filter(Boolean)[0] ?? 'no holdout arm'}.</p>
          ) : (
            <div className="chart" role="img" aria-label={`Uplift against the holdout with 95 % interval: ${uplifts.map((u) => `${u.arm} ${u.est} points (${u.lo} to ${u.hi})${u.crosses ? ', interval crosses zero' : ''}`).join('; ')}`}>
              <ResponsiveContainer width="100%" height={220}>
                <ComposedChart data={uplifts} margin={{ top: 20, right: 10, left: 0, bottom: 0 }}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="arm" />
                  <YAxis unit=" pt" />
                  <ReferenceLine y={0} stroke="#000" strokeWidth={2} label={{ value: 'no effect', position: 'insideTopRight' }} />
                  <Scatter dataKey="est" name="uplift" isAnimationActive={false} fill="#000">
                    {uplifts.map((u) => (
                      <Cell key={u.arm} fill={u.crosses ? '#8a5a00' : '#1f5fa8'} />
                    ))}
                    <ErrorBar dataKey="err" width={16} strokeWidth={3} stroke="#444" direction="y" />
                    <LabelList dataKey="verdict" position="right" offset={14} fill="#1a1a1a" />
                  </Scatter>
                </ComposedChart>
              </ResponsiveContainer>
            </div>
          )}
          <figcaption>Uplift in booking rate against the holdout (percentage points) with its 95 % interval; an interval that crosses the zero line is not a clear effect.</figcaption>
        </figure>
      </div>
      <div className="scroll">
        <table>
          <thead>
            <tr><th scope="col">Arm</th><th scope="col">Kind</th><th scope="col">Customers</th><th scope="col">Sent</th><th scope="col">Clicked</th><th scope="col">Booked</th><th scope="col">Booking rate</th><th scope="col">Uplift (95 % interval)</th></tr>
          </thead>
          <tbody>
            {experiment.arms.map((a) => (
              <tr key={a.name} data-testid="arm-row">
                <td>{a.name}</td><td>{a.kind}</td><td>{a.customers}</td><td>{a.sent}</td><td>{a.clicked}</td><td>{a.booked}</td><td>{pct(a.booking_rate)}</td>
                <td>
                  {a.uplift_vs_holdout
                    ? `${pct(a.uplift_vs_holdout.absolute)} (${pct(a.uplift_vs_holdout.ci95[0])} to ${pct(a.uplift_vs_holdout.ci95[1])})${a.uplift_vs_holdout.ci95[0] <= 0 && a.uplift_vs_holdout.ci95[1] >= 0 ? ' — crosses zero' : ''}`
                    : a.uplift_note ?? '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
