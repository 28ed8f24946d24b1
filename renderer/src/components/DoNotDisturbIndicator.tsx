import { DEFAULT_DESKTOP_SETTINGS } from '../../../common/desktop-bridge.js';
import { interruptionsAt } from '../../../common/do-not-disturb.js';
import { useNow } from '../hooks/useNow.js';
import { formatWhen } from '../lib/format.js';
import { useSettings } from '../settings/SettingsProvider.js';

/**
 * In the top bar while pop-ups are held back: do-not-disturb with the time it ends, or quiet
 * hours with theirs, so nobody wonders why nothing pops up. It links to the settings.
 */
export function DoNotDisturbIndicator() {
  const { settings } = useSettings();
  const now = useNow(30_000);
  const state = interruptionsAt(settings ?? DEFAULT_DESKTOP_SETTINGS, new Date(now));
  if (state.kind === 'open') return null;
  const text =
    state.kind === 'quiet_hours'
      ? `Quiet hours until ${state.until}`
      : state.until === null
        ? 'Do not disturb'
        : `Do not disturb until ${formatWhen(state.until)}`;
  return (
    <a
      className="dnd-indicator"
      href="#/settings"
      data-testid="dnd-indicator"
      title={
        state.kind === 'do_not_disturb' && state.until === null
          ? 'On until you turn it off in Settings'
          : 'Pop-ups are held back; everything still lands in Notifications'
      }
    >
      <span className="dnd-indicator__mark" aria-hidden="true" />
      {text}
      {state.kind === 'do_not_disturb' && state.until === null && (
        <span className="visually-hidden"> (until you turn it off)</span>
      )}
    </a>
  );
}
