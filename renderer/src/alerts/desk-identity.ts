import { deskName, type Desk } from '../../../common/alerts.js';

const STORAGE_KEY = 'clinicpulse.desk';

/**
 * This browser profile's desk: a random id made once and kept in localStorage, so receipts from
 * two tabs of one profile count as one desk and two computers as two, and a name staff can
 * change in Settings ("Nurses' station PC").
 */
export function loadBrowserDesk(storage: Storage | null = safeLocalStorage()): Desk {
  const stored = read(storage);
  if (stored) return stored;
  const desk: Desk = { id: crypto.randomUUID(), name: defaultDeskName() };
  storage?.setItem(STORAGE_KEY, JSON.stringify(desk));
  return desk;
}

export function renameBrowserDesk(
  name: string,
  storage: Storage | null = safeLocalStorage(),
): Desk {
  const desk = { ...loadBrowserDesk(storage), name: deskName.parse(name) };
  storage?.setItem(STORAGE_KEY, JSON.stringify(desk));
  return desk;
}

function read(storage: Storage | null): Desk | null {
  try {
    const raw = storage?.getItem(STORAGE_KEY);
    if (!raw) return null;
    const value = JSON.parse(raw) as { id?: unknown; name?: unknown };
    if (typeof value.id !== 'string' || !/^[A-Za-z0-9_-]{8,64}$/.test(value.id)) return null;
    const name = deskName.safeParse(value.name);
    return { id: value.id, name: name.success ? name.data : defaultDeskName() };
  } catch {
    return null;
  }
}

/** "Firefox on Windows": enough to tell desks apart until someone names them. */
export function defaultDeskName(userAgent: string = navigator.userAgent): string {
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : 'Browser';
  const system = /Windows/.test(userAgent)
    ? 'Windows'
    : /Mac OS X|Macintosh/.test(userAgent)
      ? 'macOS'
      : /Android/.test(userAgent)
        ? 'Android'
        : /Linux|X11/.test(userAgent)
          ? 'Linux'
          : null;
  return system ? `${browser} on ${system}` : browser;
}

function safeLocalStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
