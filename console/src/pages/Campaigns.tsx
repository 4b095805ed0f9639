import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { useCall } from '../session';
import { Card, Errors, Loading, RunLink, when } from '../components';
import type { CampaignListEntry as CampaignEntry } from '../../../src/console/schemas';

export type Counts = CampaignEntry['counts'];

export function Reasons({ reasons }: { reasons: Record<string, number> }) {
  const entries = Object.entries(reasons);
  if (entries.length === 0) return null;
  return <span className="reasons">({entries.map(([k, v]) => `${k.replace(/_/g, ' ')} ${v}`).join(', ')})</span>;
}

/** Done of eligible: sent + skipped + failed. */
export function Progress({ counts, label }: { counts: Counts; label: string }) {
  const done = counts.sent + counts.skipped + counts.failed;
  const max = Math.max(counts.eligible, done, 1);
  return (
    <span className="progress">
      <progress max={max} value={done} aria-label={label} /> {done}/{counts.eligible}
    </span>
  );
}

export function Campaigns() {
  const call = useCall();
  const list = useQuery({ queryKey: ['campaigns'], queryFn: () => call<{ campaigns: CampaignEntry[] }>('/internal/console/campaigns'), refetchInterval: 2000 });
  return (
    <>
      <h1>Campaigns</h1>
      <StartCampaign />
      <Card title="Recent campaigns" id="recent">
        {list.isLoading && <Loading what="campaigns" />}
        <Errors error={list.error} />
        {list.data && list.data.campaigns.length === 0 && <p>No campaign yet.</p>}
        {list.data && list.data.campaigns.length > 0 && (
          <div className="scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">Started</th>
                  <th scope="col">Status</th>
                  <th scope="col">Progress</th>
                  <th scope="col">Eligible</th>
                  <th scope="col">Sent</th>
                  <th scope="col">Skipped (why)</th>
                  <th scope="col">Failed</th>
                  <th scope="col">Waiting approval</th>
                  <th scope="col">Run</th>
                </tr>
              </thead>
              <tbody>
                {list.data.campaigns.map((c) => (
                  <tr key={c.job_id} data-testid="campaign-row">
                    <td>
                      <Link to={`/campaigns/${c.job_id}`}>{when(c.created_at)}</Link>
                      {c.experiment_id && <div className="tag">experiment{c.experiment_name ? `: ${c.experiment_name}` : ''}</div>}
                    </td>
                    <td><span className={`status s-${c.status.toLowerCase()}`}>{c.status}</span></td>
                    <td><Progress counts={c.counts} label={`Progress of campaign started ${when(c.created_at)}`} /></td>
                    <td>{c.counts.eligible}</td>
                    <td>{c.counts.sent}</td>
                    <td>{c.counts.skipped} <Reasons reasons={c.counts.skipped_reasons} /></td>
                    <td>{c.counts.failed}</td>
                    <td>{c.counts.awaiting_approval}</td>
                    <td><RunLink workflowId={c.workflow_id} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </>
  );
}

interface Arm {
  name: string;
  kind: 'holdout' | 'template' | 'llm';
  weight: string;
  prompt_version: string;
}

const numberOrUndefined = (s: string) => (s.trim() === '' ? undefined : Number(s));

function StartCampaign() {
  const call = useCall();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [cadence, setCadence] = useState('');
  const [locale, setLocale] = useState('');
  const [maxCustomers, setMaxCustomers] = useState('');
  const [concurrency, setConcurrency] = useState('');
  const [sendTime, setSendTime] = useState('');
  const [promo, setPromo] = useState('');
  const [withExperiment, setWithExperiment] = useState(false);
  const [experimentName, setExperimentName] = useState('');
  const [arms, setArms] = useState<Arm[]>([
    { name: 'control', kind: 'holdout', weight: '1', prompt_version: '' },
    { name: 'template', kind: 'template', weight: '1', prompt_version: '' },
  ]);
  const start = useMutation({
    mutationFn: (body: unknown) => call<{ job_id: string }>('/internal/ai/smartengage/run-segment', { body }),
    onSuccess: (answer) => {
      void client.invalidateQueries({ queryKey: ['campaigns'] });
      navigate(`/campaigns/${answer.job_id}`);
    },
  });
  const setArm = (i: number, patch: Partial<Arm>) => setArms(arms.map((a, j) => (j === i ? { ...a, ...patch } : a)));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const criteria: Record<string, unknown> = {
      booking_cadence_days: numberOrUndefined(cadence),
      locale: locale || undefined,
      max_customers: numberOrUndefined(maxCustomers),
      concurrency: numberOrUndefined(concurrency),
      send_time: sendTime || undefined,
      promo_code: promo.trim() || undefined,
    };
    const body: Record<string, unknown> = { segment_criteria: criteria };
    if (withExperiment) {
      body.experiment = {
        name: experimentName.trim() || undefined,
        arms: arms.map((a) => ({ name: a.name, kind: a.kind, weight: Number(a.weight), prompt_version: a.kind === 'llm' ? numberOrUndefined(a.prompt_version) : undefined })),
      };
    }
    start.mutate(body);
  };

  return (
    <Card title="Start a campaign" id="start">
      <form onSubmit={submit} className="grid-form">
        <label>Booking cadence (days)<input type="number" inputMode="numeric" value={cadence} onChange={(e) => setCadence(e.target.value)} placeholder="default" /></label>
        <label>
          Language
          <select value={locale} onChange={(e) => setLocale(e.target.value)}>
            <option value="">any</option>
            <option value="bn">বাংলা (bn)</option>
            <option value="en">English (en)</option>
          </select>
        </label>
        <label>At most customers<input type="number" value={maxCustomers} onChange={(e) => setMaxCustomers(e.target.value)} placeholder="all" /></label>
        <label>Concurrency<input type="number" value={concurrency} onChange={(e) => setConcurrency(e.target.value)} placeholder="default" /></label>
        <label>
          Send time
          <select value={sendTime} onChange={(e) => setSendTime(e.target.value)}>
            <option value="">default</option>
            <option value="window">start of the send window</option>
            <option value="personal">each customer's usual booking hour</option>
          </select>
        </label>
        <label>Promo code<input value={promo} onChange={(e) => setPromo(e.target.value)} placeholder="default" /></label>
        <label className="check">
          <input type="checkbox" checked={withExperiment} onChange={(e) => setWithExperiment(e.target.checked)} /> Run as an experiment (arms, holdout)
        </label>
        {withExperiment && (
          <fieldset className="arms">
            <legend>Experiment</legend>
            <label>Experiment name<input value={experimentName} onChange={(e) => setExperimentName(e.target.value)} /></label>
            {arms.map((a, i) => (
              <div className="arm" key={i}>
                <label>Arm {i + 1} name<input value={a.name} onChange={(e) => setArm(i, { name: e.target.value })} /></label>
                <label>
                  Arm {i + 1} kind
                  <select value={a.kind} onChange={(e) => setArm(i, { kind: e.target.value as Arm['kind'] })}>
                    <option value="holdout">holdout (not contacted)</option>
                    <option value="template">template</option>
                    <option value="llm">LLM-written</option>
                  </select>
                </label>
                <label>Arm {i + 1} weight<input type="number" step="any" value={a.weight} onChange={(e) => setArm(i, { weight: e.target.value })} /></label>
                {a.kind === 'llm' && <label>Arm {i + 1} prompt version<input type="number" value={a.prompt_version} onChange={(e) => setArm(i, { prompt_version: e.target.value })} /></label>}
                <button type="button" onClick={() => setArms(arms.filter((_, j) => j !== i))}>Remove arm {i + 1}</button>
              </div>
            ))}
            <button type="button" onClick={() => setArms([...arms, { name: `arm-${arms.length + 1}`, kind: 'llm', weight: '1', prompt_version: '' }])}>Add an arm</button>
          </fieldset>
        )}
        <div className="actions">
          <button type="submit" className="primary" disabled={start.isPending}>Start campaign</button>
        </div>
      </form>
      <Errors error={start.error} />
    </Card>
  );
}
