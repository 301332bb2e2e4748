import type { Queues } from '../jobs/queues.ts';
import type { RouteOffer } from './dispatch.table.ts';

/**
 * A delayed job per offer fires at its deadline (job id per offer, so adding twice is one job).
 * The minute sweep catches any whose add was lost between commit and enqueue.
 */
export async function scheduleOfferDeadlines(queues: Queues, offers: RouteOffer[], now: Date) {
  for (const offer of offers) {
    await queues.enqueue(
      'dispatch',
      'expire-offer',
      { offerId: offer.id },
      { jobId: `offer_${offer.id}`, delay: Math.max(0, offer.deadline.getTime() - now.getTime()) },
    );
  }
}
