/** Whether this desk keeps pop-up settings of its own for a person, instead of theirs. */
const key = (userId: number) => `clinicpulse.deskOwnSettings.${userId}`;

export function keepsOwnSettings(userId: number): boolean {
  try {
    return window.localStorage.getItem(key(userId)) === 'yes';
  } catch {
    return false;
  }
}

export function setKeepsOwnSettings(userId: number, own: boolean): void {
  try {
    if (own) window.localStorage.setItem(key(userId), 'yes');
    else window.localStorage.removeItem(key(userId));
  } catch {
    // Without storage the desk follows the person, which is the default anyway.
  }
}
