import type { ConnectionStatus } from '../../common/desktop-bridge.js';

export interface TrayModel {
  tooltip: string;
  image: TrayImage;
  menu: TrayMenuItem[];
}

export type TrayMenuItem =
  | { id: 'open'; label: string; type: 'normal' }
  | { id: 'unread'; label: string; type: 'normal'; enabled: false }
  | { id: 'do-not-disturb'; label: string; type: 'checkbox'; checked: boolean }
  | { id: 'copy-diagnostics'; label: string; type: 'normal' }
  | { id: 'install-update'; label: string; type: 'normal' }
  | { id: 'separator'; type: 'separator' }
  | { id: 'quit'; label: string; type: 'normal' };

/** Which tray image to show: with a red dot while anything is unread (Windows has no badge). */
export type TrayImage = 'normal' | 'unread';

/** What the tray says: unread count in the tooltip and the menu, the connection when it is not fine. */
export function trayModel(state: {
  unreadCount: number;
  doNotDisturb: boolean;
  connection: ConnectionStatus;
  signedIn: boolean;
  /** A downloaded update's version, waiting to be installed. */
  updateReady?: string | null;
}): TrayModel {
  const unread = unreadLabel(state.unreadCount);
  const parts = ['ClinicPulse'];
  if (!state.signedIn) parts.push('signed out');
  else {
    parts.push(unread);
    if (state.connection === 'reconnecting' || state.connection === 'offline')
      parts.push('reconnecting…');
    if (state.doNotDisturb) parts.push('do not disturb');
  }
  return {
    tooltip: parts.join(' — '),
    image: state.signedIn && state.unreadCount > 0 ? 'unread' : 'normal',
    menu: [
      { id: 'open', label: 'Open ClinicPulse', type: 'normal' },
      {
        id: 'unread',
        label: state.signedIn ? unread : 'Signed out',
        type: 'normal',
        enabled: false,
      },
      {
        id: 'do-not-disturb',
        label: 'Do not disturb',
        type: 'checkbox',
        checked: state.doNotDisturb,
      },
      ...(state.updateReady
        ? [
            {
              id: 'install-update' as const,
              label: `Restart to update to ${state.updateReady}`,
              type: 'normal' as const,
            },
          ]
        : []),
      { id: 'copy-diagnostics', label: 'Copy diagnostics for IT', type: 'normal' },
      { id: 'separator', type: 'separator' },
      { id: 'quit', label: 'Quit ClinicPulse', type: 'normal' },
    ],
  };
}

export function unreadLabel(count: number): string {
  if (count === 0) return 'no unread notifications';
  return `${count > 999 ? '999+' : count} unread notification${count === 1 ? '' : 's'}`;
}
