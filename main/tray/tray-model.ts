import type { ConnectionStatus } from '../../common/desktop-bridge.js';

export interface TrayModel {
  tooltip: string;
  menu: TrayMenuItem[];
}

export type TrayMenuItem =
  | { id: 'open'; label: string; type: 'normal' }
  | { id: 'unread'; label: string; type: 'normal'; enabled: false }
  | { id: 'do-not-disturb'; label: string; type: 'checkbox'; checked: boolean }
  | { id: 'separator'; type: 'separator' }
  | { id: 'quit'; label: string; type: 'normal' };

/** What the tray says: unread count in the tooltip and the menu, the connection when it is not fine. */
export function trayModel(state: {
  unreadCount: number;
  doNotDisturb: boolean;
  connection: ConnectionStatus;
  signedIn: boolean;
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
      { id: 'separator', type: 'separator' },
      { id: 'quit', label: 'Quit ClinicPulse', type: 'normal' },
    ],
  };
}

export function unreadLabel(count: number): string {
  if (count === 0) return 'no unread notifications';
  return `${count > 999 ? '999+' : count} unread notification${count === 1 ? '' : 's'}`;
}
