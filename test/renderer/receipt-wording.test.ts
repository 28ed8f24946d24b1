import { describe, expect, it } from 'vitest';
import type { AlertStatus, DeskStatus, RecipientStatus } from '../../common/alerts.js';
import {
  acknowledgementLine,
  countsLine,
  deskLine,
  recipientLine,
} from '../../renderer/src/alerts/receipt-wording.js';

const time = (iso: string) => iso.slice(11, 16);
const at = (clock: string) => `2025-01-20T${clock}:00.000Z`;

function desk(fields: Partial<DeskStatus>): DeskStatus {
  return {
    deskId: 'desk-0001',
    deskName: "Nurses' station PC",
    deliveredAt: at('10:41'),
    shownAt: null,
    overDoNotDisturb: false,
    heldAt: null,
    heldReason: null,
    ...fields,
  };
}

function recipient(fields: Partial<RecipientStatus>): RecipientStatus {
  return {
    userId: 3,
    displayName: 'Nurse Ben Jones',
    viaRole: null,
    deliveredAt: at('10:41'),
    readAt: null,
    acknowledgedAt: null,
    desks: [],
    ...fields,
  };
}

describe('receipt wording', () => {
  it('says delivered, on how many desks it was shown, and when it was read', () => {
    const line = recipientLine(
      recipient({
        readAt: at('10:42'),
        desks: [
          desk({ shownAt: at('10:41') }),
          desk({ deskId: 'desk-0002', shownAt: at('10:41') }),
        ],
      }),
      time,
    );
    expect(line).toBe('Delivered · Shown on 2 desks · Read 10:42');
  });

  it('says why it was held when no desk showed it, and which desks held it when some did', () => {
    expect(
      recipientLine(
        recipient({ desks: [desk({ heldAt: at('10:41'), heldReason: 'do_not_disturb' })] }),
        time,
      ),
    ).toBe('Delivered · Held: do not disturb');
    expect(
      recipientLine(
        recipient({
          desks: [
            desk({ shownAt: at('10:41'), overDoNotDisturb: true }),
            desk({ deskId: 'desk-0002', heldAt: at('10:41'), heldReason: 'notifications_denied' }),
          ],
        }),
        time,
      ),
    ).toBe(
      'Delivered · Shown on 1 desk (over do-not-disturb) · Held on 1 desk: notifications not allowed',
    );
  });

  it('says when nothing reached a desk yet, and when the recipient acknowledged', () => {
    expect(recipientLine(recipient({ deliveredAt: null }), time)).toBe('Not delivered yet');
    expect(recipientLine(recipient({ acknowledgedAt: at('10:43') }), time)).toBe(
      'Delivered · Acknowledged 10:43',
    );
    expect(
      acknowledgementLine(
        { at: at('10:43'), userId: 3, displayName: 'Nurse Ben Jones', deskName: null },
        time,
      ),
    ).toBe('Acknowledged 10:43 by Nurse Ben Jones');
  });

  it('names each desk with what happened there', () => {
    expect(deskLine(desk({ shownAt: at('10:41'), overDoNotDisturb: true }), time)).toBe(
      "Nurses' station PC: shown 10:41 (over do-not-disturb)",
    );
    expect(
      deskLine(
        desk({ deskName: 'Ward laptop', heldAt: at('10:41'), heldReason: 'do_not_disturb' }),
        time,
      ),
    ).toBe('Ward laptop: held 10:41: do not disturb');
    expect(deskLine(desk({}), time)).toBe("Nurses' station PC: delivered 10:41");
  });

  it('counts for many recipients', () => {
    const status = {
      counts: { recipients: 5, delivered: 3, shown: 2, held: 1, read: 1 },
    } as AlertStatus;
    expect(countsLine(status)).toBe('Delivered to 3 of 5 · Shown to 2 · Held for 1 · Read by 1');
  });
});
