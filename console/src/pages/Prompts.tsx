import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCall } from '../session';
import { Card, Errors, Loading, when } from '../components';

interface Summary {
  id: string;
  agent_type: 'smartengage' | 'coachnova';
  message_type: string;
  locale: 'bn' | 'en';
  version: number;
  status: 'draft' | 'canary' | 'active' | 'retired';
  notes: string | null;
  created_by: string;
  created_at: string;
  messages_sent: number;
  canary: { messages: number; used: number } | null;
}
interface Detail extends Summary {
  system_prompt: string;
  user_prompt: string;
  fallback_subject: string;
  fallback_text: string;
  events: Array<{ action: string; actor: string; at: string }>;
}
interface Preview {
  draft: { subject: string; body: string; call_to_action: string };
  safety: { safe: boolean; checks: Array<{ name: string; passed: boolean; detail?: string }> };
  model: string;
  fallback_reason: string | null;
  context: { source: string };
}

const KINDS = [
  ['smartengage', 'REMINDER'],
  ['coachnova', 'COACHING'],
  ['coachnova', 'BURNOUT_CHECK'],
] as const;

export function Prompts() {
  const call = useCall();
  const [kind, setKind] = useState(0);
  const [locale, setLocale] = useState<'bn' | 'en'>('en');
  const [agent, type] = KINDS[kind];
  const list = useQuery({
    queryKey: ['prompts', agent, type, locale],
    queryFn: () => call<{ prompts: Summary[] }>(`/internal/prompts?agent_type=${agent}&message_type=${type}&locale=${locale}`),
    refetchInterval: 5000,
  });
  const [selected, setSelected] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const versions = list.data?.prompts ?? [];
  const live = versions.find((v) => v.status === 'active') ?? versions.find((v) => v.status === 'canary');
  return (
    <>
      <h1>Prompts</h1>
      <form className="inline" onSubmit={(e) => e.preventDefault()}>
        <label>
          Agent and message type
          <select value={kind} onChange={(e) => { setKind(Number(e.target.value)); setSelected(null); setCreating(false); }}>
            {KINDS.map(([a, t], i) => <option key={i} value={i}>{a} · {t}</option>)}
          </select>
        </label>
        <label>
          Language
          <select value={locale} onChange={(e) => { setLocale(e.target.value as 'bn' | 'en'); setSelected(null); setCreating(false); }}>
            <option value="en">English (en)</option>
            <option value="bn">বাংলা (bn)</option>
          </select>
        </label>
        <button type="button" onClick={() => { setCreating(true); setSelected(null); }}>New version</button>
      </form>
      <Card title="Versions" id="versions">
        {list.isLoading && <Loading what="versions" />}
        <Errors error={list.error} />
        <div className="scroll">
          <table>
            <thead>
              <tr><th scope="col">Version</th><th scope="col">Status</th><th scope="col">Canary</th><th scope="col">Sent</th><th scope="col">Notes</th><th scope="col">Created</th><th scope="col"><span className="sr-only">Open</span></th></tr>
            </thead>
            <tbody>
              {versions.map((v) => (
                <tr key={v.id} data-testid="prompt-row" data-version={v.version} data-status={v.status}>
                  <td>v{v.version}</td>
                  <td><span className={`status p-${v.status}`}>{v.status}</span></td>
                  <td>{v.canary ? `${v.canary.used}/${v.canary.messages}` : '—'}</td>
                  <td>{v.messages_sent}</td>
                  <td>{v.notes ?? ''}</td>
                  <td>{when(v.created_at)} by {v.created_by}</td>
                  <td><button type="button" onClick={() => { setSelected(v.id); setCreating(false); }}>Open v{v.version}</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
      {creating && <CreateVersion agent={agent} type={type} locale={locale} liveId={live?.id ?? null} onCreated={(id) => { setCreating(false); setSelected(id); }} />}
      {selected && <VersionDetail id={selected} liveId={live?.id ?? null} />}
    </>
  );
}

function useDetail(id: string | null) {
  const call = useCall();
  return useQuery({ queryKey: ['prompt', id], queryFn: () => call<Detail>(`/internal/prompts/${id}`), enabled: !!id, refetchInterval: 5000 });
}

function PromptText({ d }: { d: Detail }) {
  return (
    <dl className="prompt-text" lang={d.locale}>
      <dt lang="en">System prompt</dt><dd><pre>{d.system_prompt}</pre></dd>
      <dt lang="en">User prompt</dt><dd><pre>{d.user_prompt}</pre></dd>
      <dt lang="en">Fallback subject</dt><dd>{d.fallback_subject}</dd>
      <dt lang="en">Fallback text</dt><dd>{d.fallback_text}</dd>
    </dl>
  );
}

function CreateVersion({ agent, type, locale, liveId, onCreated }: { agent: string; type: string; locale: string; liveId: string | null; onCreated: (id: string) => void }) {
  const call = useCall();
  const client = useQueryClient();
  const live = useDetail(liveId);
  const [form, setForm] = useState({ system_prompt: '', user_prompt: '', fallback_subject: '', fallback_text: '', notes: '' });
  useEffect(() => {
    if (live.data && form.system_prompt === '') setForm({ system_prompt: live.data.system_prompt, user_prompt: live.data.user_prompt, fallback_subject: live.data.fallback_subject, fallback_text: live.data.fallback_text, notes: '' });
  }, [live.data]); // eslint-disable-line react-hooks/exhaustive-deps
  const create = useMutation({
    mutationFn: () => call<{ id: string }>('/internal/prompts', { body: { agent_type: agent, message_type: type, locale, ...form, notes: form.notes || undefined } }),
    onSuccess: (answer) => {
      void client.invalidateQueries({ queryKey: ['prompts'] });
      onCreated(answer.id);
    },
  });
  const field = (key: keyof typeof form, label: string, rows: number) => (
    <label>
      {label}
      <textarea rows={rows} lang={locale} value={form[key]} onChange={(e) => setForm({ ...form, [key]: e.target.value })} />
    </label>
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <Card title={`New ${type} version (${locale}) beside the one in use`} id="create">
      <div className="two">
        <section aria-labelledby="live-h">
          <h3 id="live-h">In use now{live.data ? `: v${live.data.version} (${live.data.status})` : ''}</h3>
          {live.data ? <PromptText d={live.data} /> : <p>No version in use.</p>}
        </section>
        <form onSubmit={submit} className="stack" aria-labelledby="new-h">
          <h3 id="new-h">New draft</h3>
          {field('system_prompt', 'System prompt', 6)}
          {field('user_prompt', 'User prompt', 4)}
          {field('fallback_subject', 'Fallback subject', 1)}
          {field('fallback_text', 'Fallback text', 4)}
          {field('notes', 'Notes (what changed, why)', 2)}
          <button type="submit" className="primary" disabled={create.isPending}>Create draft</button>
          <Errors error={create.error} />
        </form>
      </div>
    </Card>
  );
}

function VersionDetail({ id, liveId }: { id: string; liveId: string | null }) {
  const call = useCall();
  const client = useQueryClient();
  const detail = useDetail(id);
  const [customer, setCustomer] = useState('');
  const [canary, setCanary] = useState('');
  const preview = useMutation({ mutationFn: () => call<Preview>(`/internal/prompts/${id}/preview`, { body: customer.trim() ? { customer_id: customer.trim() } : {} }) });
  const activate = useMutation({
    mutationFn: (body: Record<string, unknown>) => call<{ status: string; version: number; retired: { version: number } | null }>(`/internal/prompts/${id}/activate`, { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['prompts'] }).then(() => client.invalidateQueries({ queryKey: ['prompt'] })),
  });
  if (detail.isLoading) return <Loading what="the version" />;
  if (!detail.data) return <Errors error={detail.error} />;
  const d = detail.data;
  const isRollback = d.status === 'retired';
  return (
    <Card title={`v${d.version} · ${d.status}`} id="detail">
      <PromptText d={d} />
      <div className="two">
        <form className="stack" onSubmit={(e) => { e.preventDefault(); preview.mutate(); }}>
          <h3>Preview</h3>
          <label>Customer id (empty: a demo customer)<input value={customer} onChange={(e) => setCustomer(e.target.value)} /></label>
          <button type="submit" disabled={preview.isPending}>Preview</button>
          <Errors error={preview.error} />
          {preview.data && (
            <div className="preview" data-testid="preview" lang={d.locale}>
              <p><strong>{preview.data.draft.subject}</strong></p>
              <p>{preview.data.draft.body}</p>
              <p className="cta">[{preview.data.draft.call_to_action}]</p>
              <p lang="en">Safety: <span className={preview.data.safety.safe ? 'good' : 'bad'}>{preview.data.safety.safe ? 'passed' : `failed (${preview.data.safety.checks.filter((c) => !c.passed).map((c) => c.name).join(', ')})`}</span> · {preview.data.model} · context: {preview.data.context.source}{preview.data.fallback_reason ? ` · template: ${preview.data.fallback_reason}` : ''}</p>
            </div>
          )}
        </form>
        <form className="stack" onSubmit={(e) => { e.preventDefault(); activate.mutate(isRollback ? {} : canary.trim() ? { canary_messages: Number(canary) } : {}); }}>
          <h3>{isRollback ? 'Roll back' : 'Activate'}</h3>
          {d.status === 'draft' && <label>Canary messages (each waits for approval; empty: the default)<input type="number" min={0} value={canary} onChange={(e) => setCanary(e.target.value)} /></label>}
          {(d.status === 'draft' || isRollback) && (
            <button type="submit" className="primary" disabled={activate.isPending}>{isRollback ? `Roll back to v${d.version}` : 'Activate as canary'}</button>
          )}
          {(d.status === 'active' || d.status === 'canary') && <p>In use{d.id === liveId ? '' : ''}. To undo it, open the version it replaced (retired) and roll back to it.</p>}
          {activate.data && <p role="status">v{activate.data.version} is now {activate.data.status}{activate.data.retired ? `; v${activate.data.retired.version} retired` : ''}.</p>}
          <Errors error={activate.error} />
        </form>
      </div>
      <h3>Audit trail</h3>
      <ul>
        {d.events.map((e, i) => <li key={i}>{when(e.at)} {e.action} by {e.actor}</li>)}
      </ul>
    </Card>
  );
}
