/**
 * The idle auto-lock of this browser (a shared workstation's setting, not a person's): after how
 * many minutes without use the page locks, and whether it is locked now. Kept in localStorage,
 * so a reload or a new tab of the same browser does not slip past the lock.
 */
const MINUTES_KEY = 'clinicpulse.autoLockMinutes';
const LOCKED_KEY = 'clinicpulse.lockedUserId';

export const AUTO_LOCK_CHOICES = [0, 2, 5, 10, 15, 30] as const;

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** 0 when the page never locks by itself. */
export function autoLockMinutes(): number {
  const value = Number(storage()?.getItem(MINUTES_KEY) ?? 0);
  return (AUTO_LOCK_CHOICES as readonly number[]).includes(value) ? value : 0;
}

export function setAutoLockMinutes(minutes: number): void {
  storage()?.setItem(MINUTES_KEY, String(minutes));
}

export function isLockedFor(userId: number): boolean {
  return storage()?.getItem(LOCKED_KEY) === String(userId);
}

export function setLocked(userId: number, locked: boolean): void {
  if (locked) storage()?.setItem(LOCKED_KEY, String(userId));
  else storage()?.removeItem(LOCKED_KEY);
}

export const AUTO_LOCK_STORAGE_KEYS = [MINUTES_KEY, LOCKED_KEY] as const;
