export type WindowCloseAction = 'close' | 'hide' | 'minimize';

/**
 * What closing the window does. "Keep running in the tray" hides it, but only where a tray icon
 * exists to bring it back and to quit from; without one (stock GNOME) the window is minimised
 * instead, so the app stays reachable from the taskbar and the stream keeps running.
 */
export function windowCloseAction(state: {
  quitting: boolean;
  closeToTray: boolean;
  trayVisible: boolean;
}): WindowCloseAction {
  if (state.quitting || !state.closeToTray) return 'close';
  return state.trayVisible ? 'hide' : 'minimize';
}
