import { Menu, Tray, type NativeImage } from 'electron';
import { trayModel, type TrayModel } from './tray-model.js';
import type { ConnectionStatus } from '../../common/desktop-bridge.js';

export interface TrayActions {
  open(): void;
  setDoNotDisturb(enabled: boolean): void;
  quit(): void;
}

/** The tray icon: unread count in its tooltip and menu, Open, Do not disturb, Quit. */
export class AppTray {
  private readonly tray: Tray;

  constructor(
    icon: NativeImage,
    private readonly actions: TrayActions,
  ) {
    this.tray = new Tray(icon);
    this.tray.on('click', () => actions.open());
  }

  update(state: {
    unreadCount: number;
    doNotDisturb: boolean;
    connection: ConnectionStatus;
    signedIn: boolean;
  }): TrayModel {
    const model = trayModel(state);
    this.tray.setToolTip(model.tooltip);
    this.tray.setContextMenu(
      Menu.buildFromTemplate(
        model.menu.map((item) => {
          switch (item.id) {
            case 'open':
              return { label: item.label, click: () => this.actions.open() };
            case 'unread':
              return { label: item.label, enabled: false };
            case 'do-not-disturb':
              return {
                label: item.label,
                type: 'checkbox' as const,
                checked: item.checked,
                click: () => this.actions.setDoNotDisturb(!item.checked),
              };
            case 'separator':
              return { type: 'separator' as const };
            case 'quit':
              return { label: item.label, click: () => this.actions.quit() };
          }
        }),
      ),
    );
    return model;
  }

  destroy(): void {
    this.tray.destroy();
  }
}
