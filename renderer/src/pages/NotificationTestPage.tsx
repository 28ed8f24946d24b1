import { useState, type FormEvent, type ReactNode } from 'react';
import type { PublishedResponse } from '../../../common/api.js';
import { ApiError, describeError } from '../api/api-error.js';
import { useApi } from '../app/session-context.js';

type Result = { kind: 'done' | 'error'; text: string } | null;

function explain(error: unknown): string {
  if (error instanceof ApiError && error.status === 404)
    return 'The test endpoints are switched off on this server.';
  return describeError(error);
}

/** Leaves out empty fields, so the server's defaults fill them. */
function filled<T extends Record<string, string>>(fields: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value.trim() !== ''),
  ) as Partial<T>;
}

/**
 * The original system's "SSE Notification Test" panel: send yourself each kind of event and
 * watch it arrive (inbox, pop-up, badge) through the real stream.
 */
export function NotificationTestPage() {
  const api = useApi();

  return (
    <div className="page">
      <div className="page-header">
        <h1 className="page-title" tabIndex={-1}>
          Notification test
        </h1>
      </div>
      <p className="muted">
        Each button sends one event to you alone, through the same path as real ones. It should
        appear under Notifications within a moment (and as a pop-up if this window is in the
        background).
      </p>
      <div className="test-grid">
        <TestCard
          title="New message"
          send={(fields) => api.testNewMessage(filled(fields))}
          fields={[
            { name: 'sender', label: 'Sender', initial: 'Dr. Smith' },
            { name: 'text', label: 'Text', initial: 'Hello, how are you feeling?' },
            { name: 'conversation_id', label: 'Conversation id', initial: '' },
          ]}
        />
        <TestCard
          title="Appointment reminder"
          send={(fields) => api.testAppointmentReminder(filled(fields))}
          fields={[
            { name: 'content', label: 'What', initial: 'Annual checkup' },
            { name: 'appointmentId', label: 'Appointment id', initial: '' },
          ]}
        />
        <TestCard
          title="System notification"
          send={(fields) => api.testSystemNotification(filled(fields))}
          fields={[{ name: 'content', label: 'Notice', initial: 'Your profile is incomplete' }]}
        />
      </div>
    </div>
  );
}

interface FieldSpec {
  name: string;
  label: string;
  initial: string;
}

function TestCard({
  title,
  fields,
  send,
}: {
  title: string;
  fields: FieldSpec[];
  send(fields: Record<string, string>): Promise<PublishedResponse>;
}) {
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(fields.map((field) => [field.name, field.initial])),
  );
  const [result, setResult] = useState<Result>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setResult(null);
    try {
      const { id } = await send(values);
      setResult({ kind: 'done', text: `Sent as event #${id}.` });
    } catch (error) {
      setResult({ kind: 'error', text: explain(error) });
    } finally {
      setBusy(false);
    }
  }

  let status: ReactNode = null;
  if (result) {
    status = (
      <p
        className={result.kind === 'error' ? 'form-error' : 'form-success'}
        role={result.kind === 'error' ? 'alert' : 'status'}
      >
        {result.text}
      </p>
    );
  }

  return (
    <form
      className="card form"
      onSubmit={(event) => void submit(event)}
      aria-label={`Test ${title.toLowerCase()}`}
    >
      <h2>{title}</h2>
      {fields.map((field) => (
        <label key={field.name} className="field">
          <span className="field__label">{field.label}</span>
          <input
            value={values[field.name] ?? ''}
            onChange={(event) =>
              setValues((current) => ({ ...current, [field.name]: event.target.value }))
            }
          />
        </label>
      ))}
      {status}
      <button type="submit" className="button button--primary" disabled={busy}>
        {busy ? 'Sending…' : `Send ${title.toLowerCase()}`}
      </button>
    </form>
  );
}
