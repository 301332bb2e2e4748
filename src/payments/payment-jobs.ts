import type { Queues } from '../jobs/queues.ts';

/**
 * Producers of the payment jobs. Job ids are deterministic, so enqueueing twice (a retried request,
 * a sweep finding the same booking) schedules the work once.
 */
export function scheduleBookingExpiry(queues: Queues, bookingId: string, deadline: Date, now: Date) {
  return queues.enqueue('payments', 'expire-booking', { bookingId }, {
    jobId: `expire-booking:${bookingId}`,
    delay: Math.max(0, deadline.getTime() - now.getTime()),
  });
}

export function scheduleRefund(queues: Queues, refundId: string) {
  return queues.enqueue('payments', 'execute-refund', { refundId }, { jobId: `execute-refund:${refundId}` });
}
