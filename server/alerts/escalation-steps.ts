import type { SqlDatabase, SqlStatement } from '../db/sql-database.js';
import type { EscalationTarget } from '../../common/alert-settings.js';
import { HOLD_REASON_LABELS } from '../../common/alerts.js';
import type { User } from '../../common/api.js';
import type { AlertEscalatedPayload, AlertRepeatPayload } from '../../common/events.js';
import { ROLE_PLURALS, type Role } from '../../common/roles.js';
import { ConversationStore } from '../conversations/conversation-store.js';
import { rowDedupeKey } from '../events/row-dedupe-key.js';
import { OutboxStore } from '../outbox/outbox-store.js';
import { AlertStatusReader } from './alert-status-reader.js';
import type { DueStep } from './escalation-queue.js';
import type { EscalationOutcome } from './escalation-outcome.js';
import { parseSnapshot, type EscalationSnapshot } from './escalation-snapshot.js';
import { OnDutyStore } from './on-duty-store.js';

interface StepRow {
  id: number;
  sender_id: number | null;
  conversation_id: number | null;
  message_id: number | null;
  summary: string;
  created_at: string;
  acknowledged_at: string | null;
  escalation_snapshot: string | null;
  escalation_step: number;
  escalation_due_at: number | null;
}

export type StepOutcome =
  /** Acknowledged, already carried out (here or by another process), or not the active step. */
  | { kind: 'stale' }
  /** Claimed early (the queue and SQLite disagree on when): put back for `dueMs`. */
  | { kind: 'not_yet'; dueMs: number }
  | { kind: 'repeated'; repeat: number; of: number; next: DueStep | null; touched: number[] }
  | { kind: 'escalated'; reached: number; next: null; touched: number[] };

const repeatDedupeKey = (alertId: number, createdAt: string, step: number, userId: number) =>
  rowDedupeKey('alert-repeat', alertId, createdAt, step, userId);
const escalatedDedupeKey = (alertId: number, createdAt: string, userId: number) => rowDedupeKey('alert-escalated', alertId, createdAt, userId);

/**
 * The SQLite side of repeats and escalation. An urgent alert records the one step that may act
 * next (Grafana OnCall's active escalation): step `escalation_step + 1`, due at
 * `escalation_due_at`. Carrying a step out is one transaction that first moves that marker with
 * a compare-and-set, then writes what the step announces to the outbox: of two processes that
 * both try a step, one moves the marker and the other finds it moved and does nothing; a
 * process killed before its commit leaves the step due for whoever tries next. So each repeat
 * and the escalation happen exactly once, whoever holds the timer.
 */
export class EscalationSteps {
  private readonly outbox: OutboxStore;
  private readonly conversations: ConversationStore;
  private readonly onDuty: OnDutyStore;
  private readonly statuses: AlertStatusReader;
  private readonly row: SqlStatement<[number], StepRow>;
  private readonly dueRows: SqlStatement<[], { id: number; step: number; due: number }>;
  private readonly advance: SqlStatement<[number, number | null, number, number]>;
  private readonly escalate: SqlStatement<[number, string, string, number, number]>;
  private readonly recipients: SqlStatement<[number], number>;
  private readonly user: SqlStatement<[number], { id: number; username: string; display_name: string; role: Role; disabled: number }>;
  private readonly title: SqlStatement<[number], string | null>;

  constructor(private readonly db: SqlDatabase) {
    this.outbox = new OutboxStore(db);
    this.conversations = new ConversationStore(db);
    this.onDuty = new OnDutyStore(db);
    this.statuses = new AlertStatusReader(db);
    this.row = db.prepare(
      `SELECT id, sender_id, conversation_id, message_id, summary, created_at, acknowledged_at,
              escalation_snapshot, escalation_step, escalation_due_at
         FROM alerts WHERE id = ?`,
    );
    this.dueRows = db.prepare(
      `SELECT id, escalation_step + 1 AS step, escalation_due_at AS due FROM alerts
        WHERE escalation_due_at IS NOT NULL AND acknowledged_at IS NULL ORDER BY escalation_due_at`,
    );
    this.advance = db.prepare(
      `UPDATE alerts SET escalation_step = ?, escalation_due_at = ?, version = version + 1
        WHERE id = ? AND escalation_step = ? AND escalation_due_at IS NOT NULL AND acknowledged_at IS NULL`,
    );
    this.escalate = db.prepare(
      `UPDATE alerts SET escalation_step = ?, escalation_due_at = NULL, escalated_at = ?, escalation_outcome = ?, version = version + 1
        WHERE id = ? AND escalation_step = ? AND escalation_due_at IS NOT NULL AND acknowledged_at IS NULL`,
    );
    this.recipients = db.prepare<[number], number>('SELECT user_id FROM alert_recipients WHERE alert_id = ? ORDER BY user_id').pluck();
    this.user = db.prepare('SELECT id, username, display_name, role, disabled FROM users WHERE id = ?');
    this.title = db.prepare<[number], string | null>('SELECT title FROM conversations WHERE id = ?').pluck();
  }

  /** Every step due now or later, for rebuilding the Redis queue. */
  due(): DueStep[] {
    return this.dueRows.all().map((row) => ({ alertId: row.id, step: row.step, dueMs: row.due }));
  }

  fire(alertId: number, step: number, now: Date): StepOutcome {
    const run = this.db.transaction((): StepOutcome => {
      const row = this.row.get(alertId);
      const snapshot = parseSnapshot(row?.escalation_snapshot ?? null);
      if (!row || !snapshot || row.acknowledged_at !== null || row.escalation_due_at === null) return { kind: 'stale' };
      if (row.escalation_step + 1 !== step) return { kind: 'stale' };
      if (row.escalation_due_at > now.getTime()) return { kind: 'not_yet', dueMs: row.escalation_due_at };
      return step <= snapshot.repeats ? this.repeat(row, step, snapshot, now) : this.escalateNow(row, step, snapshot, now);
    });
    return run.immediate();
  }

  private repeat(row: StepRow, step: number, snapshot: EscalationSnapshot, now: Date): StepOutcome {
    const last = step === snapshot.repeats && snapshot.target.kind === 'none';
    // Measured from this repeat going out, not from the send: after an outage the remaining
    // steps keep their spacing instead of firing all at once.
    const nextDue = last ? null : now.getTime() + snapshot.intervalMs;
    if (this.advance.run(step, nextDue, row.id, step - 1).changes === 0) return { kind: 'stale' };
    const sender = row.sender_id === null ? null : this.user.get(row.sender_id);
    const payload: AlertRepeatPayload = {
      type: 'alert_repeat',
      alert_id: String(row.id),
      repeat: step,
      of: snapshot.repeats,
      ...(row.conversation_id === null ? {} : { conversation_id: String(row.conversation_id) }),
      ...(row.message_id === null ? {} : { message_id: String(row.message_id) }),
      sender: sender?.display_name ?? '',
      text: row.summary,
      ...(snapshot.passesDoNotDisturb ? { passes_do_not_disturb: true } : {}),
      timestamp: now.toISOString(),
    };
    for (const userId of this.recipients.all(row.id)) this.outbox.enqueue(userId, payload, repeatDedupeKey(row.id, row.created_at, step, userId));
    return {
      kind: 'repeated',
      repeat: step,
      of: snapshot.repeats,
      next: nextDue === null ? null : { alertId: row.id, step: step + 1, dueMs: nextDue },
      touched: [row.id],
    };
  }

  private escalateNow(row: StepRow, step: number, snapshot: EscalationSnapshot, now: Date): StepOutcome {
    const recipients = this.recipients.all(row.id);
    const sender = row.sender_id === null ? null : this.user.get(row.sender_id);
    const { label, targets, viaRole, failure } = this.resolve(snapshot.target, [row.sender_id ?? 0, ...recipients]);
    // What was tried, read before anything of the escalation is written.
    const tried = this.triedSummary(row.id, snapshot);
    const outcome: EscalationOutcome = { target: label, recipients: targets.map((target) => target.displayName), failure, conversationId: null };
    if (this.escalate.run(step, now.toISOString(), JSON.stringify(outcome), row.id, step - 1).changes === 0) return { kind: 'stale' };

    let touched = [row.id];
    if (sender && targets.length > 0) {
      const originalTitle = row.conversation_id === null ? null : (this.title.get(row.conversation_id) ?? null);
      const { id: conversationId } = this.conversations.create(
        sender.id,
        targets.map((target) => target.userId),
        `Escalated: ${originalTitle ?? `urgent message from ${sender.display_name}`}`.slice(0, 200),
      );
      const text = [`Escalated to you (${label}): nobody acknowledged this urgent message.`, tried, `Message from ${sender.display_name}: ${row.summary}`]
        .join('\n')
        .slice(0, 4_000);
      const sent = this.conversations.send(conversationId, toUser(sender), text, {
        priority: 'urgent',
        passesDoNotDisturb: snapshot.passesDoNotDisturb,
        alert: { kind: 'escalation', viaRole, escalatedFrom: row.id },
      });
      outcome.conversationId = conversationId;
      this.db.prepare<[string, number]>('UPDATE alerts SET escalation_outcome = ? WHERE id = ?').run(JSON.stringify(outcome), row.id);
      if (sent.message.alertId !== null) touched = [...touched, sent.message.alertId];
    }

    const payload: AlertEscalatedPayload = {
      type: 'alert_escalated',
      alert_id: String(row.id),
      ...(row.conversation_id === null ? {} : { conversation_id: String(row.conversation_id) }),
      ...(row.message_id === null ? {} : { message_id: String(row.message_id) }),
      to: label,
      reached: outcome.recipients,
      ...(failure === null ? {} : { failure }),
      timestamp: now.toISOString(),
    };
    const told = new Set(recipients);
    if (row.sender_id !== null) told.add(row.sender_id);
    for (const userId of told) this.outbox.enqueue(userId, payload, escalatedDedupeKey(row.id, row.created_at, userId));
    return { kind: 'escalated', reached: targets.length, next: null, touched };
  }

  /** Whom the target means now; on-duty members are read at this moment and recorded. */
  private resolve(
    target: EscalationTarget,
    excluding: readonly number[],
  ): { label: string; targets: { userId: number; displayName: string }[]; viaRole: Role | null; failure: string | null } {
    switch (target.kind) {
      case 'none':
        return { label: 'nobody', targets: [], viaRole: null, failure: 'no escalation target is set' };
      case 'role': {
        const members = this.onDuty.membersOf(target.role, excluding);
        const label = `on-duty ${ROLE_PLURALS[target.role]}`;
        return {
          label,
          targets: members.map((member) => ({ userId: member.userId, displayName: member.displayName })),
          viaRole: target.role,
          failure: members.length === 0 ? `nobody was on duty as ${ROLE_PLURALS[target.role]}` : null,
        };
      }
      case 'user': {
        const user = this.user.get(target.userId);
        if (!user || user.disabled || excluding[0] === user.id)
          return { label: user?.display_name ?? `user ${target.userId}`, targets: [], viaRole: null, failure: 'the backup colleague is not available' };
        return { label: user.display_name, targets: [{ userId: user.id, displayName: user.display_name }], viaRole: null, failure: null };
      }
    }
  }

  /** "Tried: 3 repeats. Nurse Ben Jones: delivered, shown on 2 desks, not read." */
  private triedSummary(alertId: number, snapshot: EscalationSnapshot): string {
    const status = this.statuses.status(alertId, 'recipients');
    const people = (status?.recipients ?? []).map((recipient) => {
      const shown = recipient.desks.filter((desk) => desk.shownAt !== null).length;
      const held = recipient.desks.find((desk) => desk.shownAt === null && desk.heldReason !== null)?.heldReason ?? null;
      const parts = [
        recipient.deliveredAt === null ? 'not delivered' : 'delivered',
        ...(shown > 0 ? [`shown on ${shown} desk${shown === 1 ? '' : 's'}`] : held ? [`held (${HOLD_REASON_LABELS[held]})`] : []),
        recipient.readAt === null ? 'not read' : 'read',
      ];
      return `${recipient.displayName}: ${parts.join(', ')}.`;
    });
    const repeats = `${snapshot.repeats} repeat${snapshot.repeats === 1 ? '' : 's'}`;
    return [`Tried: ${repeats}, every ${Math.round(snapshot.intervalMs / 1000)} s.`, ...people].join(' ');
  }
}

function toUser(row: { id: number; username: string; display_name: string; role: Role }): User {
  return { id: row.id, username: row.username, displayName: row.display_name, role: row.role };
}
