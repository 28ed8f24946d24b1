const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});

function parse(iso: string): Date | null {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

function sameDay(a: Date, b: Date): boolean {
  return (
    a.getFullYear() === b.getFullYear() &&
    a.getMonth() === b.getMonth() &&
    a.getDate() === b.getDate()
  );
}

/** "14:05" today, "Tue 3 Jun, 14:05" otherwise; the text as given when it is no date at all. */
export function formatWhen(iso: string, now: Date = new Date()): string {
  const date = parse(iso);
  if (!date) return iso;
  return sameDay(date, now) ? timeFormat.format(date) : dateTimeFormat.format(date);
}

export function formatDateTime(iso: string): string {
  const date = parse(iso);
  return date ? dateTimeFormat.format(date) : iso;
}

/** For `<time dateTime>`: a valid machine-readable value, or nothing. */
export function machineTime(iso: string): string | undefined {
  return parse(iso)?.toISOString();
}
