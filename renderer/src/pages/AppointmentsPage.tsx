import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { Appointment } from '../../../common/api.js';
import { describeError } from '../api/api-error.js';
import { useApi, useSession } from '../app/session-context.js';
import { useDirectory } from '../app/UsersProvider.js';
import { useEvents } from '../events/useEvents.js';
import { useNow } from '../hooks/useNow.js';
import { formatDateTime, machineTime } from '../lib/format.js';
import { roleLabel } from '../lib/roles.js';
import { toggled } from '../lib/toggled.js';

const LEAD_CHOICES = [0, 5, 10, 15, 30, 60, 120, 24 * 60];

function leadLabel(minutes: number): string {
  if (minutes === 0) return 'At the time';
  if (minutes < 60) return `${minutes} minutes before`;
  if (minutes < 24 * 60) return `${minutes / 60} hour${minutes === 60 ? '' : 's'} before`;
  return '1 day before';
}

/** `<input type="datetime-local">` wants local time without a zone. */
function localInputValue(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function nextFullHour(): string {
  const date = new Date();
  date.setHours(date.getHours() + 1, 0, 0, 0);
  return localInputValue(date);
}

export function AppointmentsPage({ appointmentId }: { appointmentId: number | null }) {
  const api = useApi();
  const { byId } = useDirectory();
  const [appointments, setAppointments] = useState<Appointment[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const now = useNow(60_000);

  const reload = useCallback(
    () =>
      api.appointments().then(
        (response) => {
          setAppointments(response.appointments.toSorted((a, b) => a.time.localeCompare(b.time)));
          setError(null);
        },
        (failure: unknown) => setError(describeError(failure)),
      ),
    [api],
  );

  useEffect(() => {
    void reload();
  }, [reload]);

  useEvents({
    // A reminder went out: its appointment now shows the reminder as sent.
    onAppointmentReminder: () => void reload(),
    onResync: () => void reload(),
  });

  // The server lists upcoming appointments; one that passes while the page is open drops off.
  const upcoming = (appointments ?? []).filter((item) => new Date(item.time).getTime() >= now);

  const names = (ids: number[]) =>
    ids.map((id) => byId.get(id)?.displayName ?? `User ${id}`).join(', ');

  return (
    <div className="page page--split">
      <section className="page__main" aria-labelledby="appointments-heading">
        <div className="page-header">
          <h1 id="appointments-heading" className="page-title" tabIndex={-1}>
            Appointments
          </h1>
          <p className="muted">
            {upcoming.length === 1 ? '1 upcoming' : `${upcoming.length} upcoming`}
          </p>
        </div>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        {appointments === null && !error && <p className="empty muted">Loading appointments…</p>}
        {appointments !== null && upcoming.length === 0 && (
          <p className="empty muted">No upcoming appointments.</p>
        )}
        <ul className="appointment-list">
          {upcoming.map((appointment) => (
            <AppointmentCard
              key={appointment.id}
              appointment={appointment}
              highlighted={appointment.id === appointmentId}
              remindNames={names(appointment.remindUserIds)}
            />
          ))}
        </ul>
      </section>
      <aside className="page__side" aria-labelledby="new-appointment-heading">
        <NewAppointmentForm
          onCreated={(created) =>
            setAppointments((current) =>
              [...(current ?? []), created].toSorted((a, b) => a.time.localeCompare(b.time)),
            )
          }
        />
      </aside>
    </div>
  );
}

function AppointmentCard({
  appointment,
  highlighted,
  remindNames,
}: {
  appointment: Appointment;
  highlighted: boolean;
  remindNames: string;
}) {
  const ref = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (highlighted) ref.current?.scrollIntoView({ block: 'center' });
  }, [highlighted]);
  return (
    <li
      ref={ref}
      className={highlighted ? 'card appointment appointment--highlighted' : 'card appointment'}
      data-testid="appointment"
    >
      <time className="appointment__time" dateTime={machineTime(appointment.time)}>
        {formatDateTime(appointment.time)}
      </time>
      <p className="appointment__content">{appointment.content}</p>
      <p className="appointment__reminder muted">
        Reminder {leadLabel(appointment.reminderLeadMinutes).toLowerCase()} (
        {formatDateTime(appointment.remindAt)}) to {remindNames || 'nobody'} ·{' '}
        <span className={appointment.reminderSent ? 'status status--done' : 'status'}>
          {appointment.reminderSent ? 'Reminder sent' : 'Reminder scheduled'}
        </span>
      </p>
    </li>
  );
}

function NewAppointmentForm({ onCreated }: { onCreated(appointment: Appointment): void }) {
  const api = useApi();
  const { user } = useSession();
  const { users } = useDirectory();
  const [time, setTime] = useState(nextFullHour);
  const [content, setContent] = useState('');
  const [lead, setLead] = useState(15);
  const [remind, setRemind] = useState<ReadonlySet<number>>(() => new Set([user.id]));
  const [status, setStatus] = useState<{ kind: 'error' | 'done'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const headingId = 'new-appointment-heading';
  const statusId = useId();

  function toggle(id: number) {
    setRemind((current) => toggled(current, id));
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const when = new Date(time);
    if (Number.isNaN(when.getTime())) {
      setStatus({ kind: 'error', text: 'Enter the date and time of the appointment.' });
      return;
    }
    if (remind.size === 0) {
      setStatus({ kind: 'error', text: 'Choose at least one person to remind.' });
      return;
    }
    setBusy(true);
    setStatus(null);
    try {
      const { appointment } = await api.createAppointment({
        time: when.toISOString(),
        content: content.trim(),
        remindUserIds: [...remind],
        reminderLeadMinutes: lead,
      });
      onCreated(appointment);
      setContent('');
      setStatus({
        kind: 'done',
        text: `Appointment created for ${formatDateTime(appointment.time)}.`,
      });
    } catch (failure) {
      setStatus({ kind: 'error', text: describeError(failure) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="card form"
      onSubmit={(event) => void submit(event)}
      aria-describedby={status ? statusId : undefined}
    >
      <h2 id={headingId}>New appointment</h2>
      <label className="field">
        <span className="field__label">Date and time</span>
        <input
          type="datetime-local"
          required
          value={time}
          onChange={(event) => setTime(event.target.value)}
        />
      </label>
      <label className="field">
        <span className="field__label">What it is</span>
        <textarea
          required
          maxLength={2000}
          rows={3}
          value={content}
          onChange={(event) => setContent(event.target.value)}
        />
      </label>
      <label className="field">
        <span className="field__label">Reminder</span>
        <select value={lead} onChange={(event) => setLead(Number(event.target.value))}>
          {LEAD_CHOICES.map((minutes) => (
            <option key={minutes} value={minutes}>
              {leadLabel(minutes)}
            </option>
          ))}
        </select>
      </label>
      <fieldset className="picker">
        <legend className="field__label">Staff to remind</legend>
        <ul className="picker__list">
          {(users ?? [user]).map((person) => (
            <li key={person.id}>
              <label className="picker__option">
                <input
                  type="checkbox"
                  checked={remind.has(person.id)}
                  onChange={() => toggle(person.id)}
                />
                <span>
                  {person.id === user.id ? `${person.displayName} (you)` : person.displayName}
                </span>
                <span className="muted picker__role">{roleLabel(person.role)}</span>
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      {status && (
        <p
          id={statusId}
          className={status.kind === 'error' ? 'form-error' : 'form-success'}
          role={status.kind === 'error' ? 'alert' : 'status'}
        >
          {status.text}
        </p>
      )}
      <button type="submit" className="button button--primary" disabled={busy}>
        {busy ? 'Creating…' : 'Create appointment'}
      </button>
    </form>
  );
}
