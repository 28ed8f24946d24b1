import { useCallback, useEffect, useState } from 'react';
import type { ServerHealthResponse } from '../../../common/api.js';
import { describeError } from '../api/api-error.js';
import { useApi } from '../app/session-context.js';
import { formatWhen, machineTime } from '../lib/format.js';
import { healthInWords } from './health-words.js';

const REFRESH_MS = 15_000;

/** The server's readiness checks and key figures in words, refreshed every 15 s. */
export function ServerHealth() {
  const api = useApi();
  const [health, setHealth] = useState<ServerHealthResponse | null>(null);
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(
    () =>
      api.serverHealth().then(
        (answer) => {
          setHealth(answer);
          setError(null);
        },
        (failure: unknown) => setError(describeError(failure)),
      ),
    [api],
  );

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  return (
    <section aria-labelledby="health-heading" className="admin-section">
      <div className="section-header">
        <h2 id="health-heading">Server health</h2>
        <button type="button" className="button button--small" onClick={() => void refresh()}>
          Check now
        </button>
      </div>
      {error && (
        <p className="form-error" role="alert">
          The server did not answer: {error}
        </p>
      )}
      {health === null && !error && <p className="muted">Checking…</p>}
      {health && (
        <>
          <p
            className={health.ready ? 'health-summary health-summary--ok' : 'health-summary'}
            data-testid="health-summary"
          >
            {health.ready
              ? 'Ready: Redis and the database answer.'
              : 'Not ready: see what does not answer below.'}{' '}
            <span className="muted">
              Checked at{' '}
              <time dateTime={machineTime(health.checkedAt)}>{formatWhen(health.checkedAt)}</time>.
            </span>
          </p>
          <dl className="health-list">
            {healthInWords(health).map((line) => (
              <div
                key={line.label}
                className={line.problem ? 'health-line health-line--problem' : 'health-line'}
              >
                <dt>{line.label}</dt>
                <dd>{line.text}</dd>
              </div>
            ))}
          </dl>
        </>
      )}
    </section>
  );
}
