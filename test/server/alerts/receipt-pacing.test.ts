import { describe, expect, it } from 'vitest';
import { MAX_SPACING_MS, ReceiptPacing } from '../../../server/alerts/receipt-pacing.js';

/** `random` 0.5: every desk is asked for the spacing itself, neither less nor more. */
function pacingAt(reportsPerSecond: number, random = () => 0.5) {
  const clock = { now: 0 };
  return { clock, pacing: new ReceiptPacing({ reportsPerSecond, now: () => clock.now, random }) };
}

describe('receipt pacing', () => {
  it('leaves desks alone while they report fewer than the budget a second together', () => {
    const { pacing } = pacingAt(1_000);
    const spacings = Array.from({ length: 200 }, (_, desk) => pacing.spacingAfterReport(`desk-${desk}`));
    expect(new Set(spacings)).toEqual(new Set([0]));
  });

  it('spaces each desk so that all the desks reporting lately send about the budget a second', () => {
    const { pacing } = pacingAt(1_000);
    let last = 0;
    for (let desk = 0; desk < 2_500; desk++) last = pacing.spacingAfterReport(`desk-${desk}`);
    expect(last).toBe(2_500);
    // A desk reporting again is one desk, not two.
    expect(pacing.spacingAfterReport('desk-7')).toBe(2_500);
  });

  it('never asks a desk to wait longer than the ceiling', () => {
    const { pacing } = pacingAt(1_000);
    let last = 0;
    for (let desk = 0; desk < 20_000; desk++) last = pacing.spacingAfterReport(`desk-${desk}`);
    expect(last).toBe(MAX_SPACING_MS);
  });

  it('forgets desks that stopped reporting, so the spacing falls again', () => {
    const { clock, pacing } = pacingAt(1_000);
    for (let desk = 0; desk < 3_000; desk++) pacing.spacingAfterReport(`desk-${desk}`);
    clock.now = 2 * MAX_SPACING_MS - 1;
    expect(pacing.spacingAfterReport('desk-0')).toBe(3_000);
    clock.now = 2 * MAX_SPACING_MS;
    expect(pacing.spacingAfterReport('desk-1')).toBe(0);
  });

  it('spreads the waits around the spacing, so desks that started together drift apart', () => {
    let draw = 0;
    const draws = [0, 0.25, 0.75, 0.999];
    const { pacing } = pacingAt(1_000, () => draws[draw++ % draws.length] as number);
    for (let desk = 0; desk < 2_000; desk++) pacing.spacingAfterReport(`desk-${desk}`);
    draw = 0;
    // The same desks again: 2,000 desks, a spacing of 2 s.
    const waits = Array.from({ length: 4 }, (_, i) => pacing.spacingAfterReport(`desk-${i}`));
    expect(waits).toEqual([1_000, 1_500, 2_500, 2_998]);
  });
});
