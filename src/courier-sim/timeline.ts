import type { SimRoute } from './route-book.ts';

/**
 * The plan of a drive in accelerated time: the route's planned clock (pickup, each planned
 * arrival, the time at the door) mapped onto real milliseconds from the start, divided by the time
 * factor. Pure. Stops are driven in their planned order (sequence).
 */
export type DriveStep =
  | { atMs: number; action: 'start' }
  | { atMs: number; action: 'arrive'; jobId: string }
  | { atMs: number; action: 'door'; jobId: string }
  | { atMs: number; action: 'finish' };

export function driveTimeline(
  route: Pick<SimRoute, 'pickupAt' | 'returnBy' | 'stops'>,
  opts: { timeFactor: number; doorSeconds: number },
): DriveStep[] {
  const origin = Date.parse(route.pickupAt);
  const scale = (simMs: number) => Math.max(0, Math.round(simMs / opts.timeFactor));
  const steps: DriveStep[] = [{ atMs: 0, action: 'start' }];
  let last = 0;
  // Never earlier than the step before: a late planned arrival does not send the courier back in time.
  const at = (simInstant: number) => (last = Math.max(last, scale(simInstant - origin)));
  for (const stop of [...route.stops].sort((a, b) => a.sequence - b.sequence)) {
    const arrival = Date.parse(stop.plannedArrival);
    steps.push({ atMs: at(arrival), action: 'arrive', jobId: stop.jobId });
    steps.push({ atMs: at(arrival + opts.doorSeconds * 1000), action: 'door', jobId: stop.jobId });
  }
  steps.push({ atMs: at(Date.parse(route.returnBy)), action: 'finish' });
  return steps;
}
