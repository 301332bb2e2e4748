import type { Queues } from '../jobs/queues.ts';

/**
 * Producers of the payment jobs. Job ids are deterministic (BullMQ forbids ":" in them), so enqueueing twice (a retried request,
 * a sweep finding the same booking) schedules the work once.
 */
export function scheduleBookingExpiry(queues: Queues, bookingId: string, deadline: Date, now: Date, sweepRound?: number) {
  return queues.enqueue(
    'payments',
    'expire-booking',
    { bookingId },
    {
      jobId: withRound(`expire-booking_${bookingId}`, sweepRound),
      delay: Math.max(0, deadline.getTime() - now.getTime()),
    },
  );
}

export function scheduleRefund(queues: Queues, refundId: string, sweepRound?: number) {
  return queues.enqueue('payments', 'execute-refund', { refundId }, { jobId: withRound(`execute-refund_${refundId}`, sweepRound) });
}

/**
 * BullMQ ignores a job whose id it still remembers (completed or failed jobs are kept for a while),
 * so a sweep that finds the work still undone adds it under an id of its own round.
 */
const withRound = (id: string, round?: number) => (round === undefined ? id : `${id}_sweep-${round}`);
