import type { ExportRow } from './audit-store.js';

const COLUMNS = ['alert_id', 'kind', 'priority', 'sent_at', 'sender', 'text', 'recipient', 'via_role', 'desk', 'state', 'reason', 'at'] as const;

/**
 * One cell: quoted when it holds a separator, a quote or a line break; and a leading `=`, `+`,
 * `-` or `@` is neutralised with an apostrophe, so a message text never runs as a formula when
 * the export is opened in a spreadsheet.
 */
function cell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV (CRLF line ends, header first). */
export function auditCsv(rows: readonly ExportRow[]): string {
  const lines = [COLUMNS.join(',')];
  for (const row of rows) {
    lines.push(
      [row.alertId, row.kind, row.priority, row.sentAt, row.sender, row.summary, row.recipient, row.viaRole, row.desk, row.state, row.reason, row.at]
        .map(cell)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
