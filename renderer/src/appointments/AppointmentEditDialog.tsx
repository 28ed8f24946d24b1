import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { Appointment } from '../../../common/api.js';
import { describeError } from '../api/api-error.js';
import { useApi } from '../app/session-context.js';
import { useDirectory } from '../app/UsersProvider.js';
import { toggled } from '../lib/toggled.js';
import { localInputValue } from './appointment-form.js';
import { AppointmentFields } from './AppointmentFields.js';

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
        <AppointmentFields
          time={time}
          onTime={setTime}
          content={content}
          onContent={setContent}
          lead={lead}
          onLead={setLead}
          people={users ?? []}
          remind={remind}
          onToggle={(id) => setRemind((current) => toggled(current, id))}
          contentRows={2}
        />
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
