/** The reminder leads offered, in minutes before the appointment. */
export const LEAD_CHOICES = [0, 5, 10, 15, 30, 60, 120, 24 * 60];

export function leadLabel(minutes: number): string {
  if (minutes === 0) return 'At the time';
  if (minutes < 60) return `${minutes} minutes before`;
  if (minutes < 24 * 60) return `${minutes / 60} hour${minutes === 60 ? '' : 's'} before`;
  return '1 day before';
}

/** `<input type="datetime-local">` wants local time without a zone. */
export function localInputValue(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function nextFullHour(): string {
  const date = new Date();
  date.setHours(date.getHours() + 1, 0, 0, 0);
  return localInputValue(date);
}
