/**
 * An alert's counts of people, as the columns `delivered`, `shown`, `held` and `read` of a
 * SELECT: how many recipients had it delivered to some desk, shown on some desk, held on some
 * desk and shown on none, and read. `alertId` is the SQL of the alert's id (a column or a
 * parameter). One text for the sender's status and the audit, so the two never count apart.
 */
export function receiptCountsSql(alertId: string): string {
  return `(SELECT count(DISTINCT user_id) FROM desk_receipts WHERE alert_id = ${alertId} AND delivered_at IS NOT NULL) AS delivered,
          (SELECT count(DISTINCT user_id) FROM desk_receipts WHERE alert_id = ${alertId} AND shown_at IS NOT NULL) AS shown,
          (SELECT count(DISTINCT h.user_id) FROM desk_receipts h WHERE h.alert_id = ${alertId} AND h.held_at IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM desk_receipts s WHERE s.alert_id = h.alert_id AND s.user_id = h.user_id AND s.shown_at IS NOT NULL)) AS held,
          (SELECT count(*) FROM desk_receipts WHERE alert_id = ${alertId} AND desk = 0 AND read_at IS NOT NULL) AS read`;
}
