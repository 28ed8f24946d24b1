/**
 * The dedupe key of an event about one row: what it is, its id and when the row was written.
 * The id alone is not enough. Restore the database from a backup and the rows written since are
 * gone, their ids handed out again, while Redis remembers for EVENT_HISTORY_TTL_SECONDS that
 * events under those keys went out: it would take the new rows' events for repeats and drop
 * them, silently. The time tells the two rows apart, and is the same for every publish of the
 * one row (a retry, a repair after a Redis loss), which is all a dedupe key is for.
 */
export function rowDedupeKey(kind: string, id: number, writtenAt: string, ...rest: ReadonlyArray<string | number>): string {
  return [`${kind}:${id}@${writtenAt}`, ...rest].join(':');
}
