import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCall } from '../session';
import { Card, Errors, Loading, RunLink, when } from '../components';

interface Schedule {
  schedule_id: string;
  cron: string | null;
  timezone: string | null;
  paused: boolean;
  note: string | null;
  next_runs: string[];
  recent_runs: Array<{ scheduled_at: string; workflow_id: string }>;
}

export function Schedules() {
  const call = useCall();
  const list = useQuery({ queryKey: ['schedules'], queryFn: () => call<{ schedules: Schedule[] }>('/internal/ai/smartengage/schedules'), refetchInterval: 5000 });
  return (
    <>
      <h1>Schedules</h1>
      {list.isLoading && <Loading what="schedules" />}
      <Errors error={list.error} />
      {list.data?.schedules.length === 0 && <p>No SmartEngage schedule exists (npm start creates the daily one).</p>}
      {list.data?.schedules.map((s) => <ScheduleCard key={s.schedule_id} schedule={s} />)}
    </>
  );
}

function ScheduleCard({ schedule: s }: { schedule: Schedule }) {
  const call = useCall();
  const client = useQueryClient();
  const base = `/internal/ai/smartengage/schedules/${encodeURIComponent(s.schedule_id)}`;
  const act = useMutation({
    mutationFn: (what: 'pause' | 'unpause' | 'trigger') => call(`${base}/${what}`, { body: {} }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['schedules'] }),
  });
  return (
    <Card title={s.schedule_id} id={`sch-${s.schedule_id}`}>
      <p>
        <span className={`status ${s.paused ? 's-paused' : 's-running'}`} data-testid="schedule-state">{s.paused ? 'PAUSED' : 'ACTIVE'}</span> · <code>{s.cron}</code> ({s.timezone}) · {s.note}
      </p>
      <p>Next run: <strong>{s.paused ? 'none while paused' : when(s.next_runs[0])}</strong></p>
      <div className="actions">
        {s.paused ? (
          <button type="button" className="primary" onClick={() => act.mutate('unpause')} disabled={act.isPending}>Resume</button>
        ) : (
          <button type="button" onClick={() => act.mutate('pause')} disabled={act.isPending}>Pause</button>
        )}
        <button type="button" onClick={() => act.mutate('trigger')} disabled={act.isPending}>Run now</button>
      </div>
      <Errors error={act.error} />
      {act.isSuccess && act.variables === 'trigger' && <p role="status">Triggered; the run appears below in a moment.</p>}
      <h3>Recent runs</h3>
      <ul>
        {s.recent_runs.length === 0 && <li>None yet.</li>}
        {s.recent_runs.map((r) => <li key={r.workflow_id}>{when(r.scheduled_at)} <RunLink workflowId={r.workflow_id} label="Cadence run" /></li>)}
      </ul>
    </Card>
  );
}
