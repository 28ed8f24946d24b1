import { Router, type Request } from 'express';
import { auditQuery, type AuditAlertResponse, type AuditAlertsResponse, type AuditExportResponse } from '../../common/audit.js';
import { entityId } from '../../common/api.js';
import { requireRole } from '../auth/authenticate.js';
import type { ServerContext } from '../context.js';
import { HttpError, parseInput } from '../http/errors.js';
import { AlertStatusReader } from './alert-status-reader.js';
import { auditCsv } from './audit-csv.js';
import { AuditStore } from './audit-store.js';

/** Rows one export may hold; a wider filter is refused rather than building a file without end. */
const MAX_EXPORT_ROWS = 100_000;

/**
 * `/api/admin/audit…` (admins only): the delivery audit, filtered and paged, one alert with every
 * recorded fact, and the CSV export — as JSON for the app (`/export`) and as a file for curl and
 * browsers (`/alerts.csv`).
 */
export function createAuditRoutes(ctx: ServerContext): Router {
  const router = Router();
  const audit = new AuditStore(ctx.db);
  const statuses = new AlertStatusReader(ctx.db);
  router.use('/admin/audit', requireRole('admin'));

  const exported = (req: Request): AuditExportResponse => {
    const { before: _before, limit: _limit, ...filter } = parseInput(auditQuery, req.query, 'audit filter');
    const rows = audit.exportRows(filter, MAX_EXPORT_ROWS);
    if (!rows) throw new HttpError(400, 'validation_failed', `the filter matches more than ${MAX_EXPORT_ROWS} rows; narrow it (dates, kind, person)`);
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
    return { filename: `clinicpulse-delivery-audit-${stamp}.csv`, csv: auditCsv(rows) };
  };

  router.get('/admin/audit/alerts', (req, res) => {
    const body: AuditAlertsResponse = audit.list(parseInput(auditQuery, req.query, 'audit filter'));
    res.json(body);
  });

  router.get('/admin/audit/export', (req, res) => {
    res.json(exported(req));
  });

  router.get('/admin/audit/alerts.csv', (req, res) => {
    const { filename, csv } = exported(req);
    res.type('text/csv; charset=utf-8').attachment(filename).send(csv);
  });

  router.get('/admin/audit/alerts/:id', (req, res) => {
    const id = parseInput(entityId, req.params.id, 'alert id');
    const alert = statuses.status(id, 'recipients', Number.MAX_SAFE_INTEGER);
    const header = audit.header(id);
    if (!alert || !header) throw new HttpError(404, 'not_found', `no alert ${id} in the audit`);
    const body: AuditAlertResponse = { alert, ...header, log: audit.log(id) };
    res.json(body);
  });

  return router;
}
