import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { Appointment } from '../../../common/api.js';
import { describeError } from '../api/api-error.js';
import { useApi } from '../app/session-context.js';
import { useDirectory } from '../app/UsersProvider.js';
import { roleLabel } from '../lib/roles.js';
import { toggled } from '../lib/toggled.js';
import { LEAD_CHOICES, leadLabel, localInputValue } from './appointment-form.js';

interface AppointmentEditDialogProps {
  appointment: Appointment;
  onClose(): void;
  onChanged(appointment: Appointment): void;
}

/** Its creator changes an appointment (the reminder moves with it) or cancels it. */
export function AppointmentEditDialog({
  appointment,
  onClose,
  onChanged,
}: AppointmentEditDialogProps) {
  const api = useApi();
  const { users } = useDirectory();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [time, setTime] = useState(() => localInputValue(new Date(appointment.time)));
  const [content, setContent] = useState(appointment.content);
  const [lead, setLead] = useState(appointment.reminderLeadMinutes);
  const [remind, setRemind] = useState<ReadonlySet<number>>(
    () => new Set(appointment.remindUserIds),
  );
  const [confirmingCancel, setConfirmingCancel] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const headingId = useId();

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  async function run(change: () => Promise<{ appointment: Appointment }>) {
    setBusy(true);
    setError(null);
    try {
      const { appointment: changed } = await change();
      onChanged(changed);
      dialogRef.current?.close();
    } catch (failure) {
      setError(describeError(failure));
      setBusy(false);
    }
  }

  function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const when = new Date(time);
    if (Number.isNaN(when.getTime())) {
      setError('Enter the date and time of the appointment.');
      return;
    }
    if (remind.size === 0) {
      setError('Choose at least one person to remind.');
      return;
    }
    void run(() =>
      api.updateAppointment(appointment.id, {
        time: when.toISOString(),
        content: content.trim(),
        reminderLeadMinutes: lead,
        remindUserIds: [...remind],
      }),
    );
  }

  return (
    <dialog ref={dialogRef} className="dialog" aria-labelledby={headingId} onClose={onClose}>
      <form className="dialog__body" onSubmit={save}>
        <h2 id={headingId}>Edit appointment</h2>
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
            rows={2}
            value={content}
            onChange={(event) => setContent(event.target.value)}
          />
        </label>
        <label className="field">
          <span className="field__label">Reminder</span>
          <select value={lead} onChange={(event) => setLead(Number(event.target.value))}>
            {[...new Set([...LEAD_CHOICES, appointment.reminderLeadMinutes])]
              .toSorted((a, b) => a - b)
              .map((minutes) => (
                <option key={minutes} value={minutes}>
                  {leadLabel(minutes)}
                </option>
              ))}
          </select>
        </label>
        <fieldset className="picker">
          <legend className="field__label">Staff to remind</legend>
          <ul className="picker__list">
            {(users ?? []).map((person) => (
              <li key={person.id}>
                <label className="picker__option">
                  <input
                    type="checkbox"
                    checked={remind.has(person.id)}
                    onChange={() => setRemind((current) => toggled(current, person.id))}
                  />
                  <span>{person.displayName}</span>
                  <span className="muted picker__role">{roleLabel(person.role)}</span>
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog__actions">
          {confirmingCancel ? (
            <button
              type="button"
              className="button button--danger"
              disabled={busy}
              onClick={() => void run(() => api.cancelAppointment(appointment.id))}
            >
              Yes, cancel it
            </button>
          ) : (
            <button type="button" className="button" onClick={() => setConfirmingCancel(true)}>
              Cancel appointment
            </button>
          )}
          <button type="button" className="button" onClick={() => dialogRef.current?.close()}>
            Close
          </button>
          <button type="submit" className="button button--primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
