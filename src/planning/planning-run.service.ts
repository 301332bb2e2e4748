import type { Database } from '../db/client.ts';
import { createBookingsRepository } from '../bookings/bookings.repository.ts';
import { createOfficesRepository } from '../offices/offices.repository.ts';
import type { Objective, SolveProgress, SolveStats } from '../routing/index.ts';
import { prepareArea } from '../shared/prepared-area.ts';
import { addDays, deliveryDay, localDate } from './delivery-day.ts';
import { buildDeliveryRequest, describeSolution, type PlanningSettings } from './delivery-request.ts';
import { claimPlan } from './plan-claim.ts';
import { PlanningInterruptedError } from './planning.errors.ts';
import { createPlanningRepository } from './planning.repository.ts';
import type { PlanProgress, PlanStats } from './planning.table.ts';
import type { MatrixChoice, SolveDeliveries } from './solve.ts';

export interface PlanningRunDeps {
  db: Database;
  clock: () => Date;
  solve: SolveDeliveries;
  settings: PlanningSettings & { timeLimitMs: number; iterationsPerStop: number; matrix: MatrixChoice; objective?: Objective };
  /** How often progress is written to the plan row; the API reads it from there. */
  progressEveryMs?: number;
  /** Told the solver's wall time of each run (the worker's metrics); must not throw. */
  onSolved?: (solve: PlanSolve) => void;
}

/** One solve of a plan run: how long the solver took and how it ended (`failed`: it threw). */
export interface PlanSolve {
  seconds: number;
  outcome: 'solved' | 'interrupted' | 'failed';
  /** What ended the search of a solved or interrupted run; null when it failed. */
  stoppedBy: SolveStats['stoppedBy'] | null;
}

export type PlanRunResult =
  | { outcome: 'draft'; planId: string; routes: number; assigned: number; unassigned: number }
  /** Nothing to do: the day's plan is confirmed, or the plan moved on while this run solved. */
  | { outcome: 'skipped'; planId: string; reason: 'confirmed' | 'plan_changed' };

/** JSONB has no Infinity (it would come back as null and break the response schema). */
const finiteRound = (n: number) => (Number.isFinite(n) ? Math.round(n) : -1);

// Re-exported: the planning worker imports it from here.
export { PlanningInterruptedError };

/**
 * The worker side of planning, free of BullMQ: claim the day's plan, load bookings and shifts,
 * solve, store routes as the draft. Safe to run again after a crash: a running plan is resumed
 * from scratch and the draft is written in one transaction.
 */
export function createPlanningRunService(deps: PlanningRunDeps) {
  const { db, clock, settings } = deps;
  const progressEveryMs = deps.progressEveryMs ?? 1000;

  return {
    async runPlanDeliveryDay(
      job: { officeId: string; deliveryDate: string; jobId: string },
      hooks: { onProgress?: (progress: PlanProgress) => Promise<void> | void; signal?: AbortSignal } = {},
    ): Promise<PlanRunResult> {
      const office = await createOfficesRepository(db).findById(job.officeId);
      if (!office) throw new Error(`Office ${job.officeId} does not exist`);
      const day = deliveryDay(job.deliveryDate, office.timezone);

      const prepared = await db.transaction(async (tx) => {
        const claim = await claimPlan(tx, {
          officeId: office.id,
          deliveryDate: job.deliveryDate,
          jobId: job.jobId,
          requestedByStaffId: null,
        });
        if (claim.kind === 'confirmed') return { kind: 'confirmed' as const, planId: claim.plan.id };
        const repo = createPlanningRepository(tx);
        const progress: PlanProgress = {
          percent: 0,
          elapsedMs: 0,
          iterations: 0,
          bestCost: 0,
          unassigned: 0,
          updatedAt: clock().toISOString(),
        };
        await repo.updatePlan(claim.plan.id, ['queued', 'running'], {
          status: 'running',
          startedAt: clock(),
          progress,
          error: null,
          jobId: job.jobId,
        });
        const [bookings, shifts, zones] = await Promise.all([
          createBookingsRepository(tx).plannableBookings(office.id, office.deliveryAttemptLimit),
          repo.shiftsOf(office.id, job.deliveryDate),
          createOfficesRepository(tx).activeZones(office.id),
        ]);
        return { kind: 'claimed' as const, planId: claim.plan.id, bookings, shifts, zones };
      });
      if (prepared.kind === 'confirmed') return { outcome: 'skipped', planId: prepared.planId, reason: 'confirmed' };

      const bikeZones = prepared.zones.filter((z) => z.vehicleTypes.includes('bike')).map((z) => prepareArea(z.geometry));
      const built = buildDeliveryRequest({
        depot: office.location,
        day,
        bookings: prepared.bookings,
        shifts: prepared.shifts,
        bikeZones,
        settings,
      });

      // Progress is best effort: a lost write only makes the bar lag, so it never fails the run.
      const repo = createPlanningRepository(db);
      let lastWrite = 0;
      let writes: Promise<unknown> = Promise.resolve();
      const onProgress = (p: SolveProgress) => {
        const now = Date.now();
        if (now - lastWrite < progressEveryMs) return;
        lastWrite = now;
        const progress: PlanProgress = {
          percent: Math.min(99, Math.floor((p.elapsedMs / settings.timeLimitMs) * 100)),
          elapsedMs: Math.round(p.elapsedMs),
          iterations: p.iterations,
          bestCost: finiteRound(p.bestCost),
          unassigned: p.unassigned,
          updatedAt: clock().toISOString(),
        };
        writes = writes
          .then(() => repo.updatePlan(prepared.planId, ['running'], { progress }))
          .then(() => hooks.onProgress?.(progress))
          .catch(() => undefined);
      };

      // Wall time, not the solver's own elapsedMs: the matrix and the worker thread's start count too.
      const solveStarted = performance.now();
      const solveSeconds = () => (performance.now() - solveStarted) / 1000;
      let solution;
      try {
        solution = await deps.solve(
          {
            request: built.request,
            seed: 1,
            timeLimitMs: settings.timeLimitMs,
            iterationsPerStop: settings.iterationsPerStop,
            objective: settings.objective ?? 'duration',
            matrix: settings.matrix,
          },
          { onProgress, ...(hooks.signal ? { signal: hooks.signal } : {}) },
        );
      } catch (err) {
        deps.onSolved?.({ seconds: solveSeconds(), outcome: hooks.signal?.aborted ? 'interrupted' : 'failed', stoppedBy: null });
        throw err;
      }
      const aborted = hooks.signal?.aborted === true;
      deps.onSolved?.({ seconds: solveSeconds(), outcome: aborted ? 'interrupted' : 'solved', stoppedBy: solution.stats.stoppedBy });
      await writes;
      // A stopped search is a worse plan, not a finished one: the run is repeated instead.
      if (aborted) throw new PlanningInterruptedError(prepared.planId);

      const { routes, unassigned } = describeSolution(solution, {
        depot: office.location,
        day,
        bookings: new Map(built.candidates.map((b) => [b.id, b])),
        vehicles: built.vehicles,
        settings,
      });
      const assigned = routes.reduce((n, r) => n + r.stops.length, 0);
      const stats: PlanStats = {
        stops: built.candidates.length,
        vehicles: built.vehicles.size,
        routes: routes.length,
        assigned,
        unassigned: unassigned.length,
        distanceMetres: routes.reduce((n, r) => n + r.distanceMetres, 0),
        durationSeconds: routes.reduce((n, r) => n + r.durationSeconds, 0),
        cost: finiteRound(solution.cost),
        objective: solution.objective,
        iterations: solution.stats.iterations,
        elapsedMs: Math.round(solution.stats.elapsedMs),
        bestIteration: solution.stats.bestIteration,
        seed: solution.stats.seed,
        stoppedBy: solution.stats.stoppedBy,
        matrix: settings.matrix.kind,
      };

      const stored = await db.transaction(async (tx) => {
        const txRepo = createPlanningRepository(tx);
        await txRepo.lockDay(office.id, job.deliveryDate);
        const plan = await txRepo.findPlan(prepared.planId);
        if (plan?.status !== 'running') return false;
        await txRepo.deleteRoutes(plan.id);
        await txRepo.insertRoutes(plan.id, routes);
        await txRepo.updatePlan(plan.id, ['running'], {
          status: 'draft',
          stats,
          unassigned,
          finishedAt: clock(),
          progress: {
            percent: 100,
            elapsedMs: stats.elapsedMs,
            iterations: stats.iterations,
            bestCost: stats.cost,
            unassigned: unassigned.length,
            updatedAt: clock().toISOString(),
          },
        });
        return true;
      });
      if (!stored) return { outcome: 'skipped', planId: prepared.planId, reason: 'plan_changed' };
      return { outcome: 'draft', planId: prepared.planId, routes: routes.length, assigned, unassigned: unassigned.length };
    },

    /** After the last attempt: the plan shows the failure instead of running forever. */
    async markFailed(officeId: string, deliveryDate: string, message: string) {
      const repo = createPlanningRepository(db);
      const plan = await repo.currentPlan(officeId, deliveryDate);
      if (!plan) return;
      await repo.updatePlan(plan.id, ['queued', 'running'], { status: 'failed', error: message.slice(0, 2000), finishedAt: clock() });
    },

    /** The day the nightly run plans: tomorrow in the office's timezone. */
    async nextDeliveryDate(officeId: string): Promise<string | null> {
      const office = await createOfficesRepository(db).findById(officeId);
      return office ? addDays(localDate(clock(), office.timezone), 1) : null;
    },

    /** Days without courier shifts (weekends, holidays) are not planned at night. */
    async hasShifts(officeId: string, deliveryDate: string): Promise<boolean> {
      return (await createPlanningRepository(db).shiftsOf(officeId, deliveryDate)).length > 0;
    },

    listOffices: () => createOfficesRepository(db).list(),
  };
}

export type PlanningRunService = ReturnType<typeof createPlanningRunService>;
