import { sql } from 'drizzle-orm';
import { check, date, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { bookings } from '../bookings/bookings.table.ts';
import { offices, vehicleTypeEnum } from '../offices/offices.table.ts';
import { courierCompanies } from '../couriers/couriers.table.ts';

/**
 * Courier capacity an office can plan with on one delivery day: `vehicleCount` vehicles of one type,
 * each working the same shift. Entered by supervisors today, later by the courier companies.
 */
export const courierShifts = pgTable(
  'courier_shifts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    officeId: uuid('office_id')
      .notNull()
      .references(() => offices.id),
    /** The delivery day in the office's timezone. */
    deliveryDate: date('delivery_date', { mode: 'string' }).notNull(),
    vehicleType: vehicleTypeEnum('vehicle_type').notNull(),
    vehicleCount: integer('vehicle_count').notNull(),
    /** Documents one vehicle can carry. */
    capacity: integer('capacity').notNull(),
    shiftStart: timestamp('shift_start', { withTimezone: true }).notNull(),
    shiftEnd: timestamp('shift_end', { withTimezone: true }).notNull(),
    /** Battery range or rider endurance per vehicle; unlimited when null. */
    maxDistanceMetres: integer('max_distance_metres'),
    createdByStaffId: uuid('created_by_staff_id'),
    /** The company whose couriers work the shift (announced by it, or entered for it by a supervisor). */
    courierCompanyId: uuid('courier_company_id').references(() => courierCompanies.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('courier_shifts_office_date_idx').on(t.officeId, t.deliveryDate),
    check('courier_shifts_count', sql`${t.vehicleCount} between 1 and 50`),
    check('courier_shifts_capacity', sql`${t.capacity} between 1 and 500`),
    check('courier_shifts_window', sql`${t.shiftEnd} > ${t.shiftStart}`),
    check('courier_shifts_range', sql`${t.maxDistanceMetres} is null or ${t.maxDistanceMetres} > 0`),
  ],
);

/** GeoJSON LineString with [lng, lat] positions. */
export interface RouteLine {
  type: 'LineString';
  coordinates: [number, number][];
}

export const PLAN_STATUSES = ['queued', 'running', 'draft', 'failed', 'confirmed', 'superseded'] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];
export const planStatusEnum = pgEnum('plan_status', PLAN_STATUSES);

export interface PlanProgress {
  /** 0–100, from the elapsed share of the time limit. */
  percent: number;
  elapsedMs: number;
  iterations: number;
  bestCost: number;
  unassigned: number;
  updatedAt: string;
}

export interface PlanStats {
  stops: number;
  vehicles: number;
  routes: number;
  assigned: number;
  unassigned: number;
  distanceMetres: number;
  durationSeconds: number;
  cost: number;
  objective: string;
  iterations: number;
  elapsedMs: number;
  bestIteration: number;
  seed: number;
  stoppedBy: string;
  matrix: 'great_circle' | 'osrm';
}

export interface UnassignedBooking {
  bookingId: string;
  reason: string;
}

/**
 * One planning run for an office and delivery day. At most one plan per office and day is not
 * superseded: re-planning supersedes the draft (its routes are deleted, the row stays as history).
 */
export const plans = pgTable(
  'plans',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    officeId: uuid('office_id')
      .notNull()
      .references(() => offices.id),
    deliveryDate: date('delivery_date', { mode: 'string' }).notNull(),
    status: planStatusEnum('status').notNull(),
    /** The BullMQ job that computes it (deterministic per office and day). */
    jobId: varchar('job_id', { length: 200 }),
    progress: jsonb('progress').$type<PlanProgress>(),
    stats: jsonb('stats').$type<PlanStats>(),
    unassigned: jsonb('unassigned').$type<UnassignedBooking[]>().notNull().default([]),
    error: text('error'),
    /** Null when the nightly scheduler asked for it. */
    requestedByStaffId: uuid('requested_by_staff_id'),
    confirmedByStaffId: uuid('confirmed_by_staff_id'),
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /** Set when the route lines and stop positions were coarsened after the retention period. */
    anonymisedAt: timestamp('anonymised_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('plans_current_uq')
      .on(t.officeId, t.deliveryDate)
      .where(sql`${t.status} <> 'superseded'`),
    index('plans_office_date_idx').on(t.officeId, t.deliveryDate, t.createdAt),
  ],
);

/**
 * Where a route stands with the courier companies: a draft's routes are not offered; a confirmed
 * plan's are `offered` until a company accepts, `unstaffed` when none is left, then handed over,
 * started and completed, or `cancelled` (plan withdrawn, route released).
 */
export const ROUTE_DISPATCH_STATUSES = [
  'draft',
  'offered',
  'accepted',
  'unstaffed',
  'handed_over',
  'started',
  'completed',
  'cancelled',
] as const;
export type RouteDispatchStatus = (typeof ROUTE_DISPATCH_STATUSES)[number];
export const routeDispatchStatusEnum = pgEnum('route_dispatch_status', ROUTE_DISPATCH_STATUSES);

export const planRoutes = pgTable(
  'plan_routes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    planId: uuid('plan_id')
      .notNull()
      .references(() => plans.id, { onDelete: 'cascade' }),
    /** 1-based number of the route within its plan. */
    sequence: integer('sequence').notNull(),
    vehicleId: varchar('vehicle_id', { length: 100 }).notNull(),
    vehicleType: vehicleTypeEnum('vehicle_type').notNull(),
    shiftId: uuid('shift_id')
      .notNull()
      .references(() => courierShifts.id),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    distanceMetres: integer('distance_metres').notNull(),
    durationSeconds: integer('duration_seconds').notNull(),
    travelSeconds: integer('travel_seconds').notNull(),
    /** Office → stops → office, as the crow flies unless a road geometry is known. */
    geometry: jsonb('geometry').$type<RouteLine>().notNull(),
    /** The company whose shift the route uses (it changes when the offer moves to the next company). */
    courierCompanyId: uuid('courier_company_id').references(() => courierCompanies.id),
    dispatchStatus: routeDispatchStatusEnum('dispatch_status').notNull().default('draft'),
    /** Counts every change a company is told of (route.offered / updated / cancelled carry it). */
    version: integer('version').notNull().default(0),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    handedOverAt: timestamp('handed_over_at', { withTimezone: true }),
    startedAt: timestamp('started_at', { withTimezone: true }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    /** Set when no company took the route: supervisors see it and can release its bookings. */
    unstaffedAt: timestamp('unstaffed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('plan_routes_plan_seq_uq').on(t.planId, t.sequence),
    index('plan_routes_company_idx').on(t.courierCompanyId, t.startsAt),
  ],
);

export const planStops = pgTable(
  'plan_stops',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    planId: uuid('plan_id')
      .notNull()
      .references(() => plans.id, { onDelete: 'cascade' }),
    routeId: uuid('route_id')
      .notNull()
      .references(() => planRoutes.id, { onDelete: 'cascade' }),
    bookingId: uuid('booking_id')
      .notNull()
      .references(() => bookings.id),
    /** 1-based position on the route. */
    sequence: integer('sequence').notNull(),
    location: jsonb('location').$type<[number, number]>().notNull(),
    plannedArrival: timestamp('planned_arrival', { withTimezone: true }).notNull(),
    serviceStart: timestamp('service_start', { withTimezone: true }).notNull(),
    departure: timestamp('departure', { withTimezone: true }).notNull(),
    /** The window announced to the citizen: around the planned service start, inside their preferred window. */
    announcedStart: timestamp('announced_start', { withTimezone: true }).notNull(),
    announcedEnd: timestamp('announced_end', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('plan_stops_plan_booking_uq').on(t.planId, t.bookingId),
    uniqueIndex('plan_stops_route_seq_uq').on(t.routeId, t.sequence),
    index('plan_stops_booking_idx').on(t.bookingId),
  ],
);

export type CourierShift = typeof courierShifts.$inferSelect;
export type Plan = typeof plans.$inferSelect;
export type PlanRoute = typeof planRoutes.$inferSelect;
export type PlanStop = typeof planStops.$inferSelect;
