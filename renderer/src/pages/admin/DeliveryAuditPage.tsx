import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import {
  ALERT_KINDS,
  HOLD_REASON_LABELS,
  type AlertKind,
  type HoldReason,
} from '../../../../common/alerts.js';
import type {
  AuditAlert,
  AuditAlertResponse,
  AuditEntry,
  AuditQuery,
} from '../../../../common/audit.js';
import { escalationLine } from '../../alerts/escalation-wording.js';
import { acknowledgementLine, deskLine, recipientLine } from '../../alerts/receipt-wording.js';
import { describeError } from '../../api/api-error.js';
import { useApi, useSession } from '../../app/session-context.js';
import { useDirectory } from '../../app/UsersProvider.js';
import { formatDateTime } from '../../lib/format.js';
import type { Route } from '../../routing/route.js';

type Filter = Omit<Partial<AuditQuery>, 'before' | 'limit'>;

const KIND_LABELS: Record<AlertKind, string> = {
  message: 'Message',
  reminder: 'Reminder',
  notice: 'Notice',
  escalation: 'Escalation',
};

const PAGE = 50;

interface DeliveryAuditPageProps {
  alertId: number | null;
  navigate(route: Route): void;
}

/**
 * The delivery audit, for admins (`#/admin/audit`, one alert at `#/admin/audit/<id>`): for any
 * message, reminder, notice or escalation, who received it, on which desks it was shown or held
 * and why, who read and acknowledged it and when; filtered, and exported as CSV. Self-contained so
 * that the admin console links to it as it is.
 */
export function DeliveryAuditPage({ alertId, navigate }: DeliveryAuditPageProps) {
  const { user } = useSession();
  if (user.role !== 'admin') {
    return (
      <div className="page">
        <h1 className="page-title" tabIndex={-1}>
          Delivery audit
        </h1>
        <p role="alert">Only an administrator can see the delivery audit.</p>
      </div>
    );
  }
  return alertId === null ? (
    <AuditList navigate={navigate} />
  ) : (
    <AuditDetail alertId={alertId} navigate={navigate} />
  );
}

function AuditList({ navigate }: { navigate(route: Route): void }) {
  const api = useApi();
  const [filter, setFilter] = useState<Filter>({});
  const [applied, setApplied] = useState<Filter>({});
  const [alerts, setAlerts] = useState<AuditAlert[] | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);

  useEffect(() => {
    let cancelled = false;
    api.auditAlerts({ ...applied, limit: PAGE }).then(
      (page) => {
        if (cancelled) return;
        setError(null);
        setAlerts(page.alerts);
        setHasMore(page.hasMore);
      },
      (failure: unknown) => {
        if (!cancelled) setError(describeError(failure));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, applied]);

  const loadMore = useCallback(async () => {
    const last = alerts?.at(-1);
    if (!last) return;
    try {
      const page = await api.auditAlerts({ ...applied, before: last.alertId, limit: PAGE });
      setAlerts((current) => [...(current ?? []), ...page.alerts]);
      setHasMore(page.hasMore);
    } catch (failure) {
      setError(describeError(failure));
    }
  }, [alerts, api, applied]);

  async function exportCsv() {
    setExporting(true);
    setError(null);
    try {
      const { filename, csv } = await api.auditExport(applied);
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
      link.download = filename;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setExporting(false);
    }
  }

  function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setApplied(filter);
  }

  return (
    <div className="page">
      <div className="page-header">
        <h1 className="page-title" tabIndex={-1}>
          Delivery audit
        </h1>
        <button
          type="button"
          className="button"
          onClick={() => void exportCsv()}
          disabled={exporting}
        >
          {exporting ? 'Exporting…' : 'Export CSV'}
        </button>
      </div>
      <AuditFilterForm filter={filter} onChange={setFilter} onSubmit={apply} />
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {alerts === null && !error && <p className="muted">Loading the audit…</p>}
      {alerts && alerts.length === 0 && <p className="muted">Nothing matches this filter.</p>}
      {alerts && alerts.length > 0 && (
        <table className="audit-table" data-testid="audit-table">
          <thead>
            <tr>
              <th scope="col">Sent</th>
              <th scope="col">What</th>
              <th scope="col">From</th>
              <th scope="col">Text</th>
              <th scope="col">Delivered</th>
              <th scope="col">Shown</th>
              <th scope="col">Held</th>
              <th scope="col">Read</th>
              <th scope="col">Acknowledged</th>
            </tr>
          </thead>
          <tbody>
            {alerts.map((alert) => (
              <tr key={alert.alertId} data-alert-id={alert.alertId}>
                <td>{formatDateTime(alert.createdAt)}</td>
                <td>
                  {KIND_LABELS[alert.kind]}
                  {alert.priority === 'urgent' && <span className="priority-label">Urgent</span>}
                </td>
                <td>{alert.sender ?? '—'}</td>
                <td>
                  <a
                    href={`#/admin/audit/${alert.alertId}`}
                    onClick={(event) => {
                      event.preventDefault();
                      navigate({ page: 'delivery-audit', alertId: alert.alertId });
                    }}
                  >
                    {alert.summary || '(no text)'}
                  </a>
                  {alert.escalated && (
                    <span className="muted"> · escalated to {alert.escalated.target}</span>
                  )}
                </td>
                <td>
                  {alert.counts.delivered} of {alert.counts.recipients}
                </td>
                <td>{alert.counts.shown}</td>
                <td>{alert.counts.held}</td>
                <td>{alert.counts.read}</td>
                <td>
                  {alert.acknowledged
                    ? `${formatDateTime(alert.acknowledged.at)} by ${alert.acknowledged.by}`
                    : '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {hasMore && (
        <button type="button" className="button" onClick={() => void loadMore()}>
          Show older
        </button>
      )}
    </div>
  );
}

function AuditFilterForm({
  filter,
  onChange,
  onSubmit,
}: {
  filter: Filter;
  onChange(filter: Filter): void;
  onSubmit(event: FormEvent<HTMLFormElement>): void;
}) {
  const { users } = useDirectory();
  const ids = useId();
  const set = (patch: Filter) => onChange({ ...filter, ...patch });
  return (
    <form className="card audit-filter" aria-label="Filter the audit" onSubmit={onSubmit}>
      <label className="field" htmlFor={`${ids}-kind`}>
        <span className="field__label">What</span>
        <select
          id={`${ids}-kind`}
          value={filter.kind ?? ''}
          onChange={(event) =>
            set({ kind: (event.target.value || undefined) as AlertKind | undefined })
          }
        >
          <option value="">Everything</option>
          {ALERT_KINDS.map((kind) => (
            <option key={kind} value={kind}>
              {KIND_LABELS[kind]}
            </option>
          ))}
        </select>
      </label>
      <label className="field" htmlFor={`${ids}-priority`}>
        <span className="field__label">Priority</span>
        <select
          id={`${ids}-priority`}
          value={filter.priority ?? ''}
          onChange={(event) =>
            set({
              priority:
                event.target.value === 'urgent' || event.target.value === 'routine'
                  ? event.target.value
                  : undefined,
            })
          }
        >
          <option value="">Any</option>
          <option value="urgent">Urgent</option>
          <option value="routine">Routine</option>
        </select>
      </label>
      <label className="field" htmlFor={`${ids}-person`}>
        <span className="field__label">From or to</span>
        <select
          id={`${ids}-person`}
          value={filter.userId ?? ''}
          onChange={(event) =>
            set({ userId: event.target.value ? Number(event.target.value) : undefined })
          }
        >
          <option value="">Anyone</option>
          {(users ?? []).map((person) => (
            <option key={person.id} value={person.id}>
              {person.displayName}
            </option>
          ))}
        </select>
      </label>
      <label className="field" htmlFor={`${ids}-from`}>
        <span className="field__label">From day</span>
        <input
          id={`${ids}-from`}
          type="date"
          value={filter.from ?? ''}
          onChange={(event) => set({ from: event.target.value || undefined })}
        />
      </label>
      <label className="field" htmlFor={`${ids}-to`}>
        <span className="field__label">To day</span>
        <input
          id={`${ids}-to`}
          type="date"
          value={filter.to ?? ''}
          onChange={(event) => set({ to: event.target.value || undefined })}
        />
      </label>
      <label className="field" htmlFor={`${ids}-q`}>
        <span className="field__label">Words</span>
        <input
          id={`${ids}-q`}
          value={filter.q ?? ''}
          maxLength={100}
          onChange={(event) => set({ q: event.target.value.trim() || undefined })}
        />
      </label>
      <label className="choice">
        <input
          type="checkbox"
          checked={filter.unacknowledged ?? false}
          onChange={(event) => set({ unacknowledged: event.target.checked || undefined })}
        />
        <span className="choice__title">Not acknowledged</span>
      </label>
      <button type="submit" className="button button--primary">
        Filter
      </button>
    </form>
  );
}

function AuditDetail({ alertId, navigate }: { alertId: number; navigate(route: Route): void }) {
  const api = useApi();
  const [detail, setDetail] = useState<AuditAlertResponse | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    api.auditAlert(alertId).then(
      (response) => {
        if (!cancelled) setDetail(response);
      },
      (failure: unknown) => {
        if (!cancelled) setError(describeError(failure));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, alertId]);

  const back = (
    <a
      href="#/admin/audit"
      onClick={(event) => {
        event.preventDefault();
        navigate({ page: 'delivery-audit', alertId: null });
      }}
    >
      ← Delivery audit
    </a>
  );

  if (!detail)
    return (
      <div className="page">
        {back}
        <h1 className="page-title" tabIndex={-1}>
          Alert {alertId}
        </h1>
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : (
          <p className="muted">Loading…</p>
        )}
      </div>
    );

  const { alert } = detail;
  const escalation = escalationLine(alert, formatDateTime);
  return (
    <div className="page" data-testid="audit-detail">
      {back}
      <h1 className="page-title" tabIndex={-1}>
        {KIND_LABELS[alert.kind]} {alert.priority === 'urgent' ? '(urgent)' : ''} from{' '}
        {detail.sender ?? 'the clinic'}, {formatDateTime(alert.createdAt)}
      </h1>
      <p className="audit-detail__text">{detail.summary}</p>
      {alert.acknowledged && <p>{acknowledgementLine(alert.acknowledged, formatDateTime)}</p>}
      {escalation && <p>{escalation}</p>}
      <section className="card" aria-labelledby="audit-recipients">
        <h2 id="audit-recipients">Recipients</h2>
        <ul className="audit-recipients">
          {alert.recipients.map((recipient) => (
            <li key={recipient.userId}>
              <strong>{recipient.displayName}</strong>
              {recipient.viaRole && <span className="muted"> (on duty)</span>}:{' '}
              {recipientLine(recipient, formatDateTime)}
              <ul>
                {recipient.desks.map((desk) => (
                  <li key={desk.deskId}>{deskLine(desk, formatDateTime)}</li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      </section>
      <section className="card" aria-labelledby="audit-log">
        <h2 id="audit-log">Everything recorded, in order</h2>
        <ol className="audit-log" data-testid="audit-log">
          {detail.log.map((entry, index) => (
            <li key={index}>{logLine(entry)}</li>
          ))}
        </ol>
      </section>
    </div>
  );
}

function logLine(entry: AuditEntry): string {
  const where = entry.deskName ? ` on ${entry.deskName}` : '';
  const why =
    entry.state === 'held' && entry.reason
      ? `: ${HOLD_REASON_LABELS[entry.reason as HoldReason] ?? entry.reason}`
      : entry.reason === 'over_do_not_disturb'
        ? ' (over do-not-disturb)'
        : '';
  return `${formatDateTime(entry.at)} — ${entry.displayName}: ${entry.state}${where}${why}`;
}
