import { useEffect, useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import { useCall } from '../session';
import { Card, Errors, Loading, RunLink, when } from '../components';
import type { CustomerMatch as Match, CustomerMessage as Message } from '../../../src/console/schemas';

interface TimelineEvent {
  at: string;
  campaign_id: string | null;
  workflow_id: string | null;
  kind: string;
  reason?: string;
  facts: Record<string, unknown>;
}

export function Customers() {
  const { id } = useParams();
  const call = useCall();
  const navigate = useNavigate();
  const [q, setQ] = useState('');
  const [submitted, setSubmitted] = useState('');
  const search = useQuery({
    queryKey: ['customer-search', submitted],
    queryFn: () => call<{ customers: Match[] }>(`/internal/console/customers?q=${encodeURIComponent(submitted)}`),
    enabled: submitted !== '',
  });
  const onSearch = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(q.trim());
  };
  const only = search.data?.customers.length === 1 ? search.data.customers[0] : null;
  useEffect(() => {
    if (only && only.id !== id) navigate(`/customers/${only.id}`);
  }, [only, id, navigate]);
  return (
    <>
      <h1>Customers</h1>
      <form onSubmit={onSearch} className="inline" role="search">
        <label htmlFor="customer-q">Email or customer id</label>
        <input id="customer-q" value={q} onChange={(e) => setQ(e.target.value)} />
        <button type="submit">Search</button>
      </form>
      <Errors error={search.error} />
      {search.data && search.data.customers.length === 0 && <p role="status">No customer matches.</p>}
      {search.data && search.data.customers.length > 1 && (
        <ul>
          {search.data.customers.map((c) => (
            <li key={c.id}><Link to={`/customers/${c.id}`}>{c.full_name} — {c.email}</Link></li>
          ))}
        </ul>
      )}
      {id && <Customer id={id} />}
    </>
  );
}

function Customer({ id }: { id: string }) {
  const call = useCall();
  const detail = useQuery({ queryKey: ['customer', id], queryFn: () => call<{ customer: Match; messages: Message[] }>(`/internal/console/customers/${id}`), refetchInterval: 5000 });
  const timeline = useQuery({ queryKey: ['timeline', id], queryFn: () => call<{ events: TimelineEvent[]; eligibility?: { eligible: boolean; failed: string[] } }>(`/internal/ai/smartengage/customers/${id}/timeline?explain=true`), refetchInterval: 5000 });
  if (detail.isLoading) return <Loading what="the customer" />;
  if (!detail.data) return <Errors error={detail.error} />;
  const { customer, messages } = detail.data;
  return (
    <>
      <h2 className="customer-name" lang={customer.locale}>{customer.full_name} <small>{customer.email} · {customer.locale}</small></h2>
      <Card title="Messages" id="messages">
        {messages.length === 0 && <p>No message yet.</p>}
        {messages.map((m) => (
          <article key={m.id} className="message" lang={m.locale} data-testid="message">
            <h3>{m.subject ?? '(no subject)'}</h3>
            <p>{m.text}</p>
            <p className="meta" lang="en">
              Safety: <span className={m.safety.safe === false ? 'bad' : 'good'}>{m.safety.safe === null ? 'not checked' : m.safety.safe ? 'passed' : `failed (${m.safety.failed.join(', ')})`}</span>
              {m.safety.fallback_reason && <> · template sent: {m.safety.fallback_reason}</>} · {m.model ?? 'template'}{m.prompt_version ? ` v${m.prompt_version}` : ''} · delivery {m.delivery_status} {when(m.sent_at)} · response: <strong>{m.response ?? 'none yet'}</strong>
              {m.responded_at && ` ${when(m.responded_at)}`} · <RunLink workflowId={m.workflow_id} label="Reminder run" />
            </p>
          </article>
        ))}
      </Card>
      <Card title="Timeline: why, why not, why this text, why now" id="timeline">
        <Errors error={timeline.error} />
        {timeline.data?.eligibility && (
          <p>Today by the default rules: {timeline.data.eligibility.eligible ? 'eligible' : `not eligible (${timeline.data.eligibility.failed.join(', ')})`}.</p>
        )}
        <ol className="timeline">
          {timeline.data?.events.map((e, i) => (
            <li key={i} data-testid="timeline-event">
              <span className={`kind k-${e.kind}`}>{e.kind.replace(/_/g, ' ')}</span> <time dateTime={e.at}>{when(e.at)}</time>
              {e.reason && <> — {e.reason.replace(/_/g, ' ')}</>}
              {e.campaign_id && <> · <Link to={`/campaigns/${e.campaign_id}`}>campaign</Link></>}
              {e.workflow_id && <> · <RunLink workflowId={e.workflow_id} label="Run" /></>}
              <Facts facts={e.facts} />
              <details>
                <summary>All facts</summary>
                <pre>{JSON.stringify(e.facts, null, 2)}</pre>
              </details>
            </li>
          ))}
        </ol>
      </Card>
    </>
  );
}

/** The facts that answer "why" at a glance (scalars only); the rest stay under "All facts". */
function Facts({ facts }: { facts: Record<string, unknown> }) {
  const shown = Object.entries(facts).filter(([, v]) => v !== null && ['string', 'number', 'boolean'].includes(typeof v)).slice(0, 8);
  if (shown.length === 0) return null;
  return (
    <div className="facts">
      {shown.map(([k, v]) => (
        <span key={k}>
          {k.replace(/_/g, ' ')}: <strong>{String(v)}</strong>
        </span>
      ))}
    </div>
  );
}
