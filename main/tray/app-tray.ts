import { Menu, Tray, type NativeImage } from 'electron';
import { trayModel, type TrayModel } from './tray-model.js';
import type { ConnectionStatus } from '../../common/desktop-bridge.js';

export interface TrayActions {
  open(): void;
  setDoNotDisturb(enabled: boolean): void;
  copyDiagnostics(): void;
  installUpdate(): void;
  quit(): void;
}

export interface TrayImages {
  normal: NativeImage;
  unread: NativeImage;
}

/**
 * The tray icon: a red dot and the count in its tooltip and menu while anything is unread;
 * Open, Do not disturb, Copy diagnostics, Quit.
 */
export class AppTray {
  private readonly tray: Tray;
  private image: TrayModel['image'] = 'normal';

  constructor(
    private readonly images: TrayImages,
    private readonly actions: TrayActions,
  ) {
    this.tray = new Tray(images.normal);
    this.tray.on('click', () => actions.open());
  }

  update(state: {
    unreadCount: number;
    doNotDisturb: boolean;
    connection: ConnectionStatus;
    signedIn: boolean;
    updateReady: string | null;
  }): TrayModel {
    const model = trayModel(state);
    if (model.image !== this.image) {
      this.image = model.image;
      this.tray.setImage(this.images[model.image]);
    }
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
            case 'install-update':
              return { label: item.label, click: () => this.actions.installUpdate() };
            case 'copy-diagnostics':
              return { label: item.label, click: () => this.actions.copyDiagnostics() };
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
