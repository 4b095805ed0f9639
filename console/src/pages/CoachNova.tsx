import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { useCall } from '../session';
import { Card, Errors, Loading, RunLink, when } from '../components';
import type { BoardWorker, CoachnovaActivity as Activity } from '../../../src/console/schemas';

type View = BoardWorker['view'];
type Factor = NonNullable<View['risk']>['factors'][number];

const FACTOR_LABEL: Record<string, string> = {
  hours_last_24h: 'Hours in the last 24 h',
  hours_last_7d: 'Hours in the last 7 days',
  consecutive_working_days: 'Days in a row without rest',
  late_night_jobs_7d: 'Late-night jobs (7 days)',
  rating_drop: 'Rating drop',
  cancellations_7d: 'Cancellations (7 days)',
  negative_feedback_7d: 'Negative feedback (7 days)',
  check_in_score: 'Check-in score (low is bad)',
};
// Bangladesh Labour Act 2006: 8 h a day (10 with overtime), 48 h a week (60 with overtime), a weekly day off.
const LABOUR_ACT: Record<string, string> = {
  hours_last_24h: 'Labour Act: 8 h/day, 10 with overtime',
  hours_last_7d: 'Labour Act: 48 h/week, 60 with overtime',
  consecutive_working_days: 'Labour Act: one day off a week',
};

function Level({ level }: { level: string | undefined }) {
  return <span className={`risk r-${(level ?? 'none').toLowerCase()}`}>{level ?? 'no data'}</span>;
}

function trend(m: View['metrics']): string {
  if (!m || m.recent_avg_rating === null) return '—';
  if (m.previous_avg_rating === null) return m.recent_avg_rating.toFixed(1);
  const d = m.recent_avg_rating - m.previous_avg_rating;
  return `${m.previous_avg_rating.toFixed(1)} → ${m.recent_avg_rating.toFixed(1)} ${d < -0.05 ? '↓' : d > 0.05 ? '↑' : '→'}`;
}

export function CoachNova() {
  const { id } = useParams();
  const call = useCall();
  const board = useQuery({ queryKey: ['board'], queryFn: () => call<{ workers: BoardWorker[] }>('/internal/console/coachnova/workers'), refetchInterval: 15_000 });
  const activity = useQuery({ queryKey: ['activity', id ?? null], queryFn: () => call<Activity>(`/internal/console/coachnova/activity${id ? `?worker_id=${id}` : ''}`), refetchInterval: 15_000 });
  const selected = board.data?.workers.find((w) => w.worker_id === id);
  return (
    <>
      <h1>CoachNova board</h1>
      {board.isLoading && <Loading what="workers" />}
      <Errors error={board.error} />
      {selected && <WorkerDetail worker={selected} />}
      <Card title="Recent tips and escalations" id="activity">
        <Errors error={activity.error} />
        <div className="two">
          <section aria-labelledby="tips-h">
            <h3 id="tips-h">Tips</h3>
            {activity.data?.tips.length === 0 && <p>None yet.</p>}
            <ul className="plain">
              {activity.data?.tips.map((t) => (
                <li key={t.id}>
                  <strong>{t.full_name}</strong> · {t.message_type.replace(/_/g, ' ').toLowerCase()} · {when(t.created_at)} · {t.delivery_status}{t.user_response ? ` · ${t.user_response}` : ''} <RunLink workflowId={t.workflow_id} label="Coaching session" />
                  <div className="tip">{t.subject ? <strong>{t.subject}: </strong> : null}{t.message_text}</div>
                </li>
              ))}
            </ul>
          </section>
          <section aria-labelledby="esc-h">
            <h3 id="esc-h">Escalations to supervisors</h3>
            {activity.data?.escalations.length === 0 && <p>None yet.</p>}
            <ul className="plain">
              {activity.data?.escalations.map((e) => (
                <li key={e.id}>
                  <strong>{e.full_name}</strong> <Level level={e.level} /> score {e.score.toFixed(0)} · {e.sent_at ? `mailed ${when(e.sent_at)}` : 'not mailed yet'} <RunLink workflowId={e.workflow_id} label="Coaching session" />
                </li>
              ))}
            </ul>
          </section>
        </div>
      </Card>
      {board.data && (
        <Card title="Workers by risk" id="workers">
          <div className="scroll">
            <table>
              <thead>
                <tr><th scope="col">Worker</th><th scope="col">Risk</th><th scope="col">Score</th><th scope="col">Hours 24 h / 7 d</th><th scope="col">Days without rest</th><th scope="col">Ratings</th><th scope="col">Check-in</th><th scope="col">Session</th></tr>
              </thead>
              <tbody>
                {board.data.workers.map((w) => (
                  <tr key={w.worker_id} data-testid="worker-row" data-level={w.view.risk?.level}>
                    <td><Link to={`/coachnova/${w.worker_id}`}>{w.full_name}</Link></td>
                    <td><Level level={w.view.risk?.level} /></td>
                    <td>{w.view.risk?.score.toFixed(0) ?? '—'}</td>
                    <td>{w.view.metrics ? `${w.view.metrics.hours_last_24h.toFixed(1)} / ${w.view.metrics.hours_last_7d.toFixed(1)}` : '—'}</td>
                    <td>{w.view.metrics?.consecutive_working_days ?? '—'}</td>
                    <td>{trend(w.view.metrics)}</td>
                    <td>{w.view.metrics?.latest_check_in_score ?? '—'}</td>
                    <td>{w.view.workflow_id ? <RunLink workflowId={w.view.workflow_id} label="Coaching session" /> : 'none running'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
      )}
    </>
  );
}

function WorkerDetail({ worker }: { worker: BoardWorker }) {
  const v = worker.view;
  return (
    <Card title={<>{worker.full_name} <Level level={v.risk?.level} /></>} id="worker">
      <p data-testid="worker-detail">
        Score {v.risk?.score.toFixed(0) ?? '—'} of 100{v.risk?.override ? ' (a low check-in makes it HIGH)' : ''}, assessed {when(v.risk?.assessed_at)} from {v.source === 'session' ? 'the running coaching session' : 'completed bookings (no session running)'}. {v.workflow_id && <RunLink workflowId={v.workflow_id} label="Coaching session" />}
      </p>
      <div className="scroll">
        <table>
          <thead>
            <tr><th scope="col">Factor</th><th scope="col">Value</th><th scope="col">Counts from / full at</th><th scope="col">Points</th><th scope="col">Rule</th></tr>
          </thead>
          <tbody>
            {v.risk?.factors.map((f) => (
              <tr key={f.name} className={f.points > 0 ? 'hot' : ''}>
                <td>{FACTOR_LABEL[f.name] ?? f.name}</td>
                <td>
                  <meter min={0} max={Math.max(f.limit, f.value, 1)} low={f.start} high={f.limit} optimum={0} value={f.value} aria-label={`${FACTOR_LABEL[f.name] ?? f.name}: ${f.value}`} /> {Number.isInteger(f.value) ? f.value : f.value.toFixed(1)}
                </td>
                <td>{f.start} / {f.limit}</td>
                <td>{f.points.toFixed(1)} of {f.weight}</td>
                <td>{LABOUR_ACT[f.name] ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>Ratings: {trend(v.metrics)} · latest check-in: {v.metrics?.latest_check_in_score ?? 'none'} · messages today: {v.metrics?.messages_today ?? 0} · escalations: {v.metrics?.escalations ?? 0}</p>
    </Card>
  );
}
