import { useEffect, useId, useState, type FormEvent } from 'react';
import type { AlertSettings, EscalationTarget } from '../../../../common/alert-settings.js';
import type { OnDutyEntry } from '../../../../common/duty.js';
import { ROLE_PLURALS, ROLES } from '../../../../common/roles.js';
import { decodeTarget, encodeTarget } from '../../alerts/escalation-target-label.js';
import { describeError } from '../../api/api-error.js';
import { useApi, useSession } from '../../app/session-context.js';
import { useDirectory } from '../../app/UsersProvider.js';
import { roleLabel } from '../../lib/roles.js';

/**
 * The clinic's alerting, for admins (`#/admin/alerting`): how urgent alerts repeat and escalate,
 * whether they pass do-not-disturb, how long the audit keeps receipts, and who is on duty.
 * Self-contained so that the admin console links to it as it is.
 */
export function AlertSettingsPage() {
  const { user } = useSession();
  if (user.role !== 'admin') {
    return (
      <div className="page page--narrow">
        <h1 className="page-title" tabIndex={-1}>
          Clinic alerting
        </h1>
        <p role="alert">Only an administrator can change the clinic’s alerting.</p>
      </div>
    );
  }
  return (
    <div className="page page--narrow">
      <h1 className="page-title" tabIndex={-1}>
        Clinic alerting
      </h1>
      <AlertPolicyForm />
      <DutyRoster />
    </div>
  );
}

function AlertPolicyForm() {
  const api = useApi();
  const { users, byId } = useDirectory();
  const [saved, setSaved] = useState<AlertSettings | null>(null);
  const [draft, setDraft] = useState<AlertSettings | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const ids = useId();

  useEffect(() => {
    let cancelled = false;
    api.alertSettings().then(
      ({ settings }) => {
        if (cancelled) return;
        setSaved(settings);
        setDraft(settings);
      },
      (failure: unknown) => {
        if (!cancelled) setError(describeError(failure));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api]);

  if (!draft || !saved) return <p className="muted">{error ?? 'Loading the clinic’s settings…'}</p>;

  const change = (patch: Partial<AlertSettings>) => {
    setStatus(null);
    setDraft({ ...draft, ...patch });
  };

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!draft) return;
    setError(null);
    try {
      const { settings } = await api.updateAlertSettings(draft);
      setSaved(settings);
      setDraft(settings);
      setStatus('Saved. Alerts sent from now on follow these settings.');
    } catch (failure) {
      setError(describeError(failure));
    }
  }

  const targetLabel = (target: EscalationTarget) =>
    target.kind === 'user' ? (byId.get(target.userId)?.displayName ?? 'a colleague') : '';

  return (
    <form className="card settings-section" onSubmit={(event) => void save(event)}>
      <h2>Urgent alerts</h2>
      <p className="muted">
        An urgent message nobody acknowledges is alerted again after the interval, as many times as
        set, and then goes to the escalation target. Alerts already under way keep the settings they
        were sent with.
      </p>
      <div className="inline-fields">
        <label className="field" htmlFor={`${ids}-interval`}>
          <span className="field__label">Repeat after (seconds)</span>
          <input
            id={`${ids}-interval`}
            type="number"
            min={1}
            max={86_400}
            value={draft.repeatIntervalSeconds}
            onChange={(event) => change({ repeatIntervalSeconds: Number(event.target.value) })}
          />
        </label>
        <label className="field" htmlFor={`${ids}-repeats`}>
          <span className="field__label">Repeats before escalating</span>
          <input
            id={`${ids}-repeats`}
            type="number"
            min={0}
            max={10}
            value={draft.repeats}
            onChange={(event) => change({ repeats: Number(event.target.value) })}
          />
        </label>
      </div>
      <label className="field" htmlFor={`${ids}-target`}>
        <span className="field__label">Escalate to</span>
        <select
          id={`${ids}-target`}
          value={encodeTarget(draft.escalationTarget)}
          onChange={(event) => {
            const target = decodeTarget(event.target.value);
            if (target) change({ escalationTarget: target });
          }}
        >
          {ROLES.map((role) => (
            <option key={role} value={`role:${role}`}>
              On-duty {ROLE_PLURALS[role]}
            </option>
          ))}
          {(users ?? []).map((colleague) => (
            <option key={colleague.id} value={`user:${colleague.id}`}>
              {colleague.displayName}
            </option>
          ))}
          {draft.escalationTarget.kind === 'user' && !byId.has(draft.escalationTarget.userId) && (
            <option value={encodeTarget(draft.escalationTarget)}>
              {targetLabel(draft.escalationTarget)}
            </option>
          )}
          <option value="none">Nobody (no escalation)</option>
        </select>
      </label>
      <label className="choice">
        <input
          type="checkbox"
          checked={draft.urgentPassesDoNotDisturb}
          onChange={(event) => change({ urgentPassesDoNotDisturb: event.target.checked })}
        />
        <span>
          <span className="choice__title">Urgent alerts pass do-not-disturb</span>
          <span className="choice__hint muted">
            Urgent messages and reminders are shown over a desk’s do-not-disturb and quiet hours,
            and recorded as shown over do-not-disturb.
          </span>
        </span>
      </label>
      <label className="field" htmlFor={`${ids}-retention`}>
        <span className="field__label">Keep the delivery audit for (days)</span>
        <input
          id={`${ids}-retention`}
          type="number"
          min={1}
          max={3650}
          value={draft.auditRetentionDays}
          onChange={(event) => change({ auditRetentionDays: Number(event.target.value) })}
        />
      </label>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button
          type="submit"
          className="button button--primary"
          disabled={JSON.stringify(draft) === JSON.stringify(saved)}
        >
          Save
        </button>
        <span className="muted" role="status">
          {status}
        </span>
      </div>
    </form>
  );
}

/** Who is on duty, with a switch per person (admins set it for others). */
function DutyRoster() {
  const api = useApi();
  const { users } = useDirectory();
  const [onDuty, setOnDuty] = useState<OnDutyEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    api.onDuty().then(
      (response) => {
        if (!cancelled) setOnDuty(response.onDuty);
      },
      (failure: unknown) => {
        if (!cancelled) setError(describeError(failure));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api]);

  async function set(userId: number, value: boolean) {
    setError(null);
    try {
      setOnDuty((await api.setDutyOf(userId, { onDuty: value })).onDuty);
    } catch (failure) {
      setError(describeError(failure));
    }
  }

  const on = new Set((onDuty ?? []).map((entry) => entry.userId));
  return (
    <section className="card settings-section" aria-labelledby="duty-roster-heading">
      <h2 id="duty-roster-heading">On duty now</h2>
      <p className="muted">
        Messages to an on-duty role, and escalations to one, reach whoever is on duty when they are
        sent. Staff switch themselves in the top bar; here you can switch anyone.
      </p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <ul className="duty-roster">
        {(users ?? []).map((person) => (
          <li key={person.id}>
            <label className="choice">
              <input
                type="checkbox"
                checked={on.has(person.id)}
                disabled={onDuty === null}
                onChange={(event) => void set(person.id, event.target.checked)}
              />
              <span>
                <span className="choice__title">{person.displayName}</span>
                <span className="choice__hint muted">{roleLabel(person.role)}</span>
              </span>
            </label>
          </li>
        ))}
      </ul>
    </section>
  );
}
