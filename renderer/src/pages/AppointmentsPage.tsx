import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { Appointment } from '../../../common/api.js';
import { describeError } from '../api/api-error.js';
import { useApi, useSession } from '../app/session-context.js';
import { useDirectory } from '../app/UsersProvider.js';
import { useEvents } from '../events/useEvents.js';
import { useNow } from '../hooks/useNow.js';
import { formatDateTime, machineTime } from '../lib/format.js';
import { toggled } from '../lib/toggled.js';
import { leadLabel, nextFullHour } from '../appointments/appointment-form.js';
import { AppointmentFields } from '../appointments/AppointmentFields.js';
import { AppointmentEditDialog } from '../appointments/AppointmentEditDialog.js';

export function AppointmentsPage({ appointmentId }: { appointmentId: number | null }) {
  const api = useApi();
  const { user } = useSession();
  const { byId } = useDirectory();
  const [appointments, setAppointments] = useState<Appointment[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [opened, setOpened] = useState<{
    id: number;
    appointment: Appointment | null;
    error: string | null;
  } | null>(null);
  const [editing, setEditing] = useState<Appointment | null>(null);
  const now = useNow(60_000);

  // The appointment a link or reminder names, fetched by itself: it may have started, passed or
  // been cancelled, and the list holds only upcoming ones.
  useEffect(() => {
    if (appointmentId === null) return;
    let cancelled = false;
    api.appointment(appointmentId).then(
      ({ appointment }) => {
        if (!cancelled) setOpened({ id: appointmentId, appointment, error: null });
      },
      (failure: unknown) => {
        if (!cancelled)
          setOpened({ id: appointmentId, appointment: null, error: describeError(failure) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, appointmentId]);

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
  const creatorName = (id: number) =>
    id === user.id ? 'you' : (byId.get(id)?.displayName ?? `user ${id}`);

  function handleChanged(changed: Appointment) {
    setAppointments((current) =>
      (current ?? [])
        .filter((item) => item.id !== changed.id)
        .concat(changed.cancelledAt ? [] : [changed])
        .toSorted((a, b) => a.time.localeCompare(b.time)),
    );
    setOpened((current) =>
      current?.id === changed.id ? { ...current, appointment: changed } : current,
    );
  }

  const shownOpened = appointmentId !== null && opened?.id === appointmentId ? opened : null;
  const openedOutsideList =
    shownOpened?.appointment && !upcoming.some((item) => item.id === shownOpened.id)
      ? shownOpened.appointment
      : null;

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
        {shownOpened?.error && (
          <p className="form-error" role="alert">
            {shownOpened.error}
          </p>
        )}
        {openedOutsideList && (
          <ul className="appointment-list" aria-label="Opened appointment">
            <AppointmentCard
              appointment={openedOutsideList}
              highlighted
              remindNames={names(openedOutsideList.remindUserIds)}
              creatorName={creatorName(openedOutsideList.createdBy)}
              now={now}
              onEdit={
                openedOutsideList.createdBy === user.id ? () => setEditing(openedOutsideList) : null
              }
            />
          </ul>
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
              creatorName={creatorName(appointment.createdBy)}
              now={now}
              onEdit={appointment.createdBy === user.id ? () => setEditing(appointment) : null}
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
      {editing && (
        <AppointmentEditDialog
          appointment={editing}
          onClose={() => setEditing(null)}
          onChanged={handleChanged}
        />
      )}
    </div>
  );
}

function AppointmentCard({
  appointment,
  highlighted,
  remindNames,
  creatorName,
  now,
  onEdit,
}: {
  appointment: Appointment;
  highlighted: boolean;
  remindNames: string;
  creatorName: string;
  now: number;
  /** Only its creator may edit or cancel an appointment. */
  onEdit: (() => void) | null;
}) {
  const past = Date.parse(appointment.time) < now;
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
      {appointment.cancelledAt ? (
        <p className="appointment__state status">Cancelled</p>
      ) : (
        past && <p className="appointment__state status">Started or past</p>
      )}
      <p className="appointment__content">{appointment.content}</p>
      <p className="appointment__creator muted">Created by {creatorName}</p>
      <p className="appointment__reminder muted">
        Reminder {leadLabel(appointment.reminderLeadMinutes).toLowerCase()} (
        {formatDateTime(appointment.remindAt)}) to {remindNames || 'nobody'} ·{' '}
        <span className={appointment.reminderSent ? 'status status--done' : 'status'}>
          {appointment.reminderSent
            ? 'Reminder sent'
            : appointment.cancelledAt
              ? 'No reminder'
              : 'Reminder scheduled'}
        </span>
      </p>
      {onEdit && !appointment.cancelledAt && (
        <button type="button" className="button button--small" onClick={onEdit}>
          Edit or cancel
        </button>
      )}
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
      <AppointmentFields
        time={time}
        onTime={setTime}
        content={content}
        onContent={setContent}
        lead={lead}
        onLead={setLead}
        people={users ?? [user]}
        remind={remind}
        onToggle={toggle}
        personName={(person) =>
          person.id === user.id ? `${person.displayName} (you)` : person.displayName
        }
        contentRows={3}
      />
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
