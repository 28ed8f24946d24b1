import { useMemo, useState } from 'react';
import {
  PREVIEW_LEVELS,
  type DesktopSettingsPatch,
  type PreviewLevel,
} from '../../../common/desktop-bridge.js';
import { browserDeskNaming, DeskNameSection, type DeskNaming } from '../alerts/DeskNameSection.js';
import { findDesktopBridge } from '../platform/desktop-bridge.js';
import { describeError } from '../api/api-error.js';
import { formatDateTime } from '../lib/format.js';
import {
  AUTO_LOCK_CHOICES,
  autoLockMinutes,
  setAutoLockMinutes,
} from '../lock/auto-lock-storage.js';
import { useSession } from '../app/session-context.js';
import { usePopupPermission, type PopupPermission } from '../notifications/browser-permission.js';
import { useSettings } from '../settings/SettingsProvider.js';

const PREVIEW_LABELS: Record<PreviewLevel, { title: string; hint: string }> = {
  sender_and_text: {
    title: 'Sender and message',
    hint: 'Pop-ups show who wrote and what they wrote.',
  },
  sender_only: {
    title: 'Sender only',
    hint: 'Pop-ups show who wrote, not the message (recommended).',
  },
  count_only: {
    title: 'Nothing identifying',
    hint: 'Pop-ups only say that something new arrived.',
  },
};

const PERMISSION_TEXT: Record<PopupPermission, string> = {
  granted: 'Pop-ups are allowed for this site.',
  denied: 'Pop-ups are blocked for this site. Allow them in the browser’s site settings.',
  default: 'This browser has not been asked yet.',
  unsupported: 'This browser cannot show pop-ups.',
  insecure:
    'Browsers only allow pop-ups for sites opened over https (or on this computer). Ask IT for the https address.',
};

/** The end time a choice of the "Ends" list means; undefined for the current one. */
function doNotDisturbEnd(choice: string, now: Date): string | null | undefined {
  switch (choice) {
    case 'never':
      return null;
    case '1h':
      return new Date(now.getTime() + 3_600_000).toISOString();
    case '2h':
      return new Date(now.getTime() + 2 * 3_600_000).toISOString();
    case 'morning': {
      const morning = new Date(now);
      morning.setDate(morning.getDate() + 1);
      morning.setHours(8, 0, 0, 0);
      return morning.toISOString();
    }
    default:
      return undefined;
  }
}

/** How long this browser may sit unused before it locks (a shared workstation's setting). */
function AutoLockSetting() {
  const [minutes, setMinutes] = useState(autoLockMinutes);
  return (
    <section className="card settings-section" aria-labelledby="auto-lock-heading">
      <h2 id="auto-lock-heading">Lock this browser</h2>
      <label className="field">
        <span className="field__label">Lock after this long without use</span>
        <select
          value={minutes}
          onChange={(event) => {
            const value = Number(event.target.value);
            setAutoLockMinutes(value);
            setMinutes(value);
          }}
        >
          {AUTO_LOCK_CHOICES.map((choice) => (
            <option key={choice} value={choice}>
              {choice === 0 ? 'Never' : `${choice} minutes`}
            </option>
          ))}
        </select>
      </label>
      <p className="muted">
        For computers several people share: the page hides everything until your password is typed
        again. It applies to this browser, whoever signs in.
      </p>
    </section>
  );
}

export function SettingsPage() {
  const { platform, api, signOut } = useSession();
  const { settings, applicable, update, deskOwn, setDeskOwn } = useSettings();
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const popups = usePopupPermission();
  const bridge = platform.kind === 'desktop' ? findDesktopBridge() : null;
  const deskNaming = useMemo<DeskNaming | null>(
    () => bridge && { load: () => bridge.getDeskName(), rename: (name) => bridge.setDeskName(name) },
    [bridge],
  );

  async function change(patch: DesktopSettingsPatch) {
    setError(null);
    try {
      await update(patch);
      setStatus('Saved.');
    } catch (failure) {
      setError(describeError(failure));
    }
  }

  if (!settings) {
    return (
      <div className="page">
        <h1 className="page-title">Settings</h1>
        <p className="muted">Loading settings…</p>
      </div>
    );
  }

  return (
    <div className="page page--narrow">
      <div className="page-header">
        <h1 className="page-title" tabIndex={-1}>
          Settings
        </h1>
        <p className="muted" role="status">
          {status}
        </p>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <p className="muted">
        {deskOwn
          ? 'The pop-up settings below apply to this computer only.'
          : 'Privacy, do-not-disturb, quiet hours and sound follow you to any computer you sign in at.'}
        {platform.kind === 'browser' && ' The desktop app has a few more settings.'}
      </p>
      <label className="choice">
        <input
          type="checkbox"
          checked={deskOwn}
          onChange={(event) => void setDeskOwn(event.target.checked)}
        />
        <span>
          <span className="choice__title">Keep separate pop-up settings on this computer</span>
          <span className="choice__hint muted">
            Changes here then stay here, and your settings elsewhere do not change this computer.
          </span>
        </span>
      </label>

      {platform.kind === 'browser' && <DeskNameSection naming={browserDeskNaming} />}
      {deskNaming && <DeskNameSection naming={deskNaming} />}

      {platform.kind === 'browser' && (
        <section className="card settings-section" aria-labelledby="browser-popups-heading">
          <h2 id="browser-popups-heading">Browser pop-ups</h2>
          <p>When this tab is in the background, new notifications can appear as pop-ups.</p>
          <p className="muted" data-testid="popup-permission">
            {PERMISSION_TEXT[popups.permission]}
          </p>
          {popups.permission === 'default' && (
            <button
              type="button"
              className="button button--primary"
              onClick={() => void popups.request()}
            >
              Allow pop-ups
            </button>
          )}
        </section>
      )}

      <fieldset className="card settings-section">
        <legend>Privacy of pop-ups</legend>
        {PREVIEW_LEVELS.map((level) => (
          <label key={level} className="choice">
            <input
              type="radio"
              name="previewLevel"
              value={level}
              checked={settings.previewLevel === level}
              onChange={() => void change({ previewLevel: level })}
            />
            <span>
              <span className="choice__title">{PREVIEW_LABELS[level].title}</span>
              <span className="choice__hint muted">{PREVIEW_LABELS[level].hint}</span>
            </span>
          </label>
        ))}
      </fieldset>

      <fieldset className="card settings-section">
        <legend>Interruptions</legend>
        <label className="choice">
          <input
            type="checkbox"
            checked={settings.doNotDisturb}
            onChange={(event) =>
              void change({ doNotDisturb: event.target.checked, doNotDisturbUntil: null })
            }
          />
          <span>
            <span className="choice__title">Do not disturb</span>
            <span className="choice__hint muted">
              No pop-ups at all; everything still lands in Notifications.
            </span>
          </span>
        </label>
        {settings.doNotDisturb && (
          <label className="field field--indented">
            <span className="field__label">Ends</span>
            <select
              value={settings.doNotDisturbUntil ? 'keep' : 'never'}
              onChange={(event) => {
                const until = doNotDisturbEnd(event.target.value, new Date());
                if (until !== undefined) void change({ doNotDisturbUntil: until });
              }}
            >
              <option value="never">When I turn it off</option>
              {settings.doNotDisturbUntil && (
                <option value="keep">At {formatDateTime(settings.doNotDisturbUntil)}</option>
              )}
              <option value="1h">In 1 hour</option>
              <option value="2h">In 2 hours</option>
              <option value="morning">Tomorrow at 08:00</option>
            </select>
          </label>
        )}
        <label className="choice">
          <input
            type="checkbox"
            checked={settings.quietHours.enabled}
            onChange={(event) =>
              void change({ quietHours: { ...settings.quietHours, enabled: event.target.checked } })
            }
          />
          <span>
            <span className="choice__title">Quiet hours</span>
            <span className="choice__hint muted">No pop-ups between these times each day.</span>
          </span>
        </label>
        <div className="inline-fields">
          <label className="field">
            <span className="field__label">From</span>
            <input
              type="time"
              value={settings.quietHours.start}
              disabled={!settings.quietHours.enabled}
              onChange={(event) =>
                event.target.value &&
                void change({ quietHours: { ...settings.quietHours, start: event.target.value } })
              }
            />
          </label>
          <label className="field">
            <span className="field__label">Until</span>
            <input
              type="time"
              value={settings.quietHours.end}
              disabled={!settings.quietHours.enabled}
              onChange={(event) =>
                event.target.value &&
                void change({ quietHours: { ...settings.quietHours, end: event.target.value } })
              }
            />
          </label>
        </div>
        <label className="choice">
          <input
            type="checkbox"
            checked={settings.sound}
            onChange={(event) => void change({ sound: event.target.checked })}
          />
          <span>
            <span className="choice__title">Sound</span>
            <span className="choice__hint muted">Play the system sound with each pop-up.</span>
          </span>
        </label>
      </fieldset>

      {platform.kind === 'browser' && <AutoLockSetting />}

      <section className="card settings-section" aria-labelledby="sessions-heading">
        <h2 id="sessions-heading">Your sign-ins</h2>
        <p>
          Signed in on a computer you can no longer reach? This signs you out on every computer and
          browser at once, this one included.
        </p>
        <button
          type="button"
          className="button"
          onClick={() =>
            void api
              .signOutEverywhere()
              .then(signOut, (failure: unknown) => setError(describeError(failure)))
          }
        >
          Sign out everywhere
        </button>
      </section>

      {applicable.has('startAtLogin') && (
        <fieldset className="card settings-section">
          <legend>Desktop app</legend>
          <label className="choice">
            <input
              type="checkbox"
              checked={settings.startAtLogin}
              onChange={(event) => void change({ startAtLogin: event.target.checked })}
            />
            <span>
              <span className="choice__title">Start at login</span>
              <span className="choice__hint muted">
                Open ClinicPulse when you sign in to this computer.
              </span>
            </span>
          </label>
          <label className="choice">
            <input
              type="checkbox"
              checked={settings.closeToTray}
              onChange={(event) => void change({ closeToTray: event.target.checked })}
            />
            <span>
              <span className="choice__title">Keep running when the window is closed</span>
              <span className="choice__hint muted">
                ClinicPulse stays in the tray and keeps notifying you.
              </span>
            </span>
          </label>
        </fieldset>
      )}
    </div>
  );
}
