const STORAGE_KEY = 'clinicpulse.presence-desk';

/** This tab's name for itself in presence reports: random, kept across a reload of the tab. */
export function presenceDeskId(): string {
  try {
    const kept = sessionStorage.getItem(STORAGE_KEY);
    if (kept) return kept;
    const id = crypto.randomUUID();
    sessionStorage.setItem(STORAGE_KEY, id);
    return id;
  } catch {
    return crypto.randomUUID();
  }
}
