import type { DesktopBridge } from '../../../common/desktop-bridge.js';

declare global {
  interface Window {
    /** Exposed by the Electron preload script; absent in a browser. */
    clinicPulse?: DesktopBridge;
  }
}

export function findDesktopBridge(): DesktopBridge | null {
  return typeof window !== 'undefined' && window.clinicPulse ? window.clinicPulse : null;
}
