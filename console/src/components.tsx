import type { ReactNode } from 'react';
import { ApiError } from './api';
import { useRunUrl } from './session';

/** A link to a run in the Temporal UI (opens a new tab). */
export function RunLink({ workflowId, label }: { workflowId: string | null | undefined; label?: string }) {
  const url = useRunUrl();
  if (!workflowId) return null;
  const href = url(workflowId);
  if (!href) return <code>{workflowId}</code>;
  return (
    <a href={href} target="_blank" rel="noreferrer" aria-label={`${label ?? 'Run'} ${workflowId} in the Temporal UI (new tab)`}>
      {label ?? 'Temporal run'} ↗
    </a>
  );
}

/** The API's error messages (field by field for validation errors). */
export function Errors({ error }: { error: unknown }) {
  if (!error) return null;
  const messages = error instanceof ApiError ? error.messages() : [String((error as Error).message ?? error)];
  return (
    <div role="alert" className="error">
      <ul>
        {messages.map((m, i) => (
          <li key={i}>{m}</li>
        ))}
      </ul>
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return <p role="status">Loading {what}…</p>;
}

export function Card({ title, children, id }: { title: ReactNode; children: ReactNode; id?: string }) {
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'short' }) : '—';
}

export function pct(x: number | null | undefined): string {
  return x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)} %`;
}
