import { describe, expect, it } from 'vitest';
import {
  BOOKING_STATUSES,
  CANCELLABLE_STATUSES,
  canTransition,
  isTerminal,
  TERMINAL_STATUSES,
  type BookingStatus,
} from '../../src/bookings/booking-status.ts';
import { must } from '../helpers/must.ts';

const successors = (from: BookingStatus) => BOOKING_STATUSES.filter((to) => canTransition(from, to));

describe('the life of a delivery', () => {
  it('follows the documented happy path from awaiting payment to delivered', () => {
    const path: BookingStatus[] = ['awaiting_payment', 'paid', 'document_ready', 'planned', 'handed_over', 'out_for_delivery', 'delivered'];
    for (let i = 1; i < path.length; i++)
      expect(canTransition(must(path[i - 1], 'path[i - 1]'), must(path[i], 'path[i]')), `${path[i - 1]} → ${path[i]}`).toBe(true);
  });

  it('a failed attempt is re-planned or the document returns to the office', () => {
    expect(successors('attempt_failed').sort()).toEqual(['planned', 'returned_to_office']);
    expect(canTransition('out_for_delivery', 'attempt_failed')).toBe(true);
    expect(canTransition('attempt_failed', 'delivered')).toBe(false);
  });

  it('a discarded plan puts the booking back to document_ready, nothing else moves backwards', () => {
    const order = new Map(BOOKING_STATUSES.map((s, i) => [s, i]));
    const backwards = BOOKING_STATUSES.flatMap((from) =>
      successors(from)
        .filter((to) => must(order.get(to), 'order.get(to)') < must(order.get(from), 'order.get(from)'))
        .map((to) => `${from}→${to}`),
    );
    // …and a route stopped after its handover brings its unused documents back for another day.
    expect(backwards.sort()).toEqual(['attempt_failed→planned', 'handed_over→document_ready', 'planned→document_ready']);
  });

  it('terminal statuses have no way out, and every other status has one', () => {
    for (const s of BOOKING_STATUSES) expect(successors(s).length === 0, s).toBe(TERMINAL_STATUSES.includes(s));
    expect([...TERMINAL_STATUSES].sort()).toEqual(['cancelled', 'delivered', 'expired', 'returned_to_office']);
    for (const s of BOOKING_STATUSES) expect(isTerminal(s)).toBe(TERMINAL_STATUSES.includes(s));
  });

  it('cancellation is possible exactly until the document leaves the office', () => {
    const cancellable = BOOKING_STATUSES.filter((s) => canTransition(s, 'cancelled'));
    expect([...cancellable].sort()).toEqual([...CANCELLABLE_STATUSES].sort());
    for (const s of ['handed_over', 'out_for_delivery', 'attempt_failed'] as const) expect(canTransition(s, 'cancelled'), s).toBe(false);
  });

  it('only an unpaid booking can expire, and a paid one never goes back to awaiting payment', () => {
    expect(BOOKING_STATUSES.filter((s) => canTransition(s, 'expired'))).toEqual(['awaiting_payment']);
    expect(BOOKING_STATUSES.filter((s) => canTransition(s, 'awaiting_payment'))).toEqual([]);
    expect(BOOKING_STATUSES.filter((s) => canTransition(s, 'paid'))).toEqual(['awaiting_payment']);
  });

  it('no status moves to itself, and every status is reachable from awaiting_payment', () => {
    for (const s of BOOKING_STATUSES) expect(canTransition(s, s), s).toBe(false);
    const seen = new Set<BookingStatus>(['awaiting_payment']);
    const queue: BookingStatus[] = ['awaiting_payment'];
    while (queue.length)
      for (const next of successors(must(queue.shift(), 'queue.shift()')))
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
    expect([...seen].sort()).toEqual([...BOOKING_STATUSES].sort());
  });

  it('a delivered or returned document reached the citizen or the office only through a courier handover', () => {
    // Every path to delivered or returned_to_office passes handed_over (four-eyes release).
    const reachableWithout = (avoid: BookingStatus) => {
      const seen = new Set<BookingStatus>(['awaiting_payment']);
      const queue: BookingStatus[] = ['awaiting_payment'];
      while (queue.length)
        for (const next of successors(must(queue.shift(), 'queue.shift()')))
          if (next !== avoid && !seen.has(next)) {
            seen.add(next);
            queue.push(next);
          }
      return seen;
    };
    const without = reachableWithout('handed_over');
    expect(without.has('delivered')).toBe(false);
    expect(without.has('returned_to_office')).toBe(false);
    expect(without.has('out_for_delivery')).toBe(false);
  });
});
