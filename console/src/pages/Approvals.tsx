import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useCall } from '../session';
import { Card, Errors, Loading, RunLink, when } from '../components';

interface Check {
  name: string;
  passed: boolean;
  detail?: string;
}
interface Approval {
  message_id: string;
  workflow_id: string;
  customer_id: string;
  campaign_id: string | null;
  prompt_version: number;
  reason: 'canary' | 'flagged';
  draft: { subject: string; body: string; call_to_action: string };
  model: string;
  safety: { safe?: boolean; checks?: Check[] } & Record<string, unknown>;
  waiting_since: string;
  expires_at: string;
}

const WHY: Record<Approval['reason'], string> = {
  canary: 'written by a canary prompt version: its first messages wait for an operator',
  flagged: 'the safety review flagged the draft for a person to read',
};

export function Approvals() {
  const call = useCall();
  const queue = useQuery({ queryKey: ['approvals'], queryFn: () => call<{ approvals: Approval[] }>('/internal/approvals'), refetchInterval: 2000 });
  return (
    <>
      <h1>Approvals</h1>
      <p>Reminders waiting for an operator, oldest first. The queue refreshes by itself every two seconds.</p>
      {queue.isLoading && <Loading what="the queue" />}
      <Errors error={queue.error} />
      {queue.data && queue.data.approvals.length === 0 && <p role="status">Nothing waits for approval.</p>}
      {queue.data?.approvals.map((a) => <ApprovalCard key={a.message_id} approval={a} />)}
    </>
  );
}

function ApprovalCard({ approval: a }: { approval: Approval }) {
  const call = useCall();
  const client = useQueryClient();
  const [note, setNote] = useState('');
  const decide = useMutation({
    mutationFn: (decision: 'approve' | 'reject') => call(`/internal/approvals/${a.message_id}`, { body: { decision, note: note.trim() || undefined } }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['approvals'] }),
  });
  const checks = a.safety.checks ?? [];
  const noteId = `note-${a.message_id}`;
  return (
    <Card title={a.draft.subject} id={`ap-${a.message_id}`}>
      <div data-testid="approval" data-message-id={a.message_id} data-customer-id={a.customer_id}>
        <p className="why"><strong>Why it waits:</strong> {WHY[a.reason]} (prompt v{a.prompt_version}, {a.model}). Waiting since {when(a.waiting_since)}; if nobody decides by {when(a.expires_at)} the approved template is sent.</p>
        <blockquote className="draft">
          <p>{a.draft.body}</p>
          <p className="cta">[{a.draft.call_to_action}]</p>
        </blockquote>
        <p>
          Safety: <span className={a.safety.safe === false ? 'bad' : 'good'}>{a.safety.safe === false ? 'flagged' : 'passed'}</span>
        </p>
        {checks.length > 0 && (
          <ul className="checks">
            {checks.map((c) => (
              <li key={c.name} className={c.passed ? 'good' : 'bad'}>{c.passed ? '✓' : '✗'} {c.name.replace(/_/g, ' ')}{c.detail ? ` — ${c.detail}` : ''}</li>
            ))}
          </ul>
        )}
        <p>
          <Link to={`/customers/${a.customer_id}`}>Customer's timeline</Link>
          {a.campaign_id && <> · <Link to={`/campaigns/${a.campaign_id}`}>Campaign</Link></>} · <RunLink workflowId={a.workflow_id} label="Reminder run" />
        </p>
        <label htmlFor={noteId}>Note (optional)</label>
        <textarea id={noteId} rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
        <div className="actions">
          <button type="button" className="primary" disabled={decide.isPending} onClick={() => decide.mutate('approve')}>Approve and send the draft</button>
          <button type="button" className="danger" disabled={decide.isPending} onClick={() => decide.mutate('reject')}>Reject (send the template)</button>
        </div>
        <Errors error={decide.error} />
      </div>
    </Card>
  );
}
