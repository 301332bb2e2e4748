import { ROUTE_DISPATCH_STATUSES } from './planning.table.ts';
import { Type } from '@sinclair/typebox';
import { IdSchema, LngLatSchema, TimestampSchema, VehicleTypeSchema } from '../shared/schemas.ts';
import { PLAN_STATUSES } from './planning.table.ts';
import { DeliveryWindowSchema } from '../bookings/bookings.schemas.ts';

export const DeliveryDateSchema = Type.String({
  pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$',
  maxLength: 10,
  description: "Delivery day in the office's timezone (YYYY-MM-DD)",
  examples: ['2026-12-15'],
});

export const OfficeParams = Type.Object({ officeId: IdSchema }, { additionalProperties: false });
export const OfficeDayParams = Type.Object({ officeId: IdSchema, deliveryDate: DeliveryDateSchema }, { additionalProperties: false });

export const CreateCourierShiftBody = Type.Object(
  {
    deliveryDate: DeliveryDateSchema,
    vehicleType: VehicleTypeSchema,
    vehicleCount: Type.Integer({ minimum: 1, maximum: 50, description: 'Vehicles of this type working this shift' }),
    capacity: Type.Integer({ minimum: 1, maximum: 500, description: 'Documents one vehicle can carry' }),
    shiftStart: TimestampSchema,
    shiftEnd: TimestampSchema,
    maxDistanceMetres: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Battery range or rider endurance per vehicle' }),
    ),
    courierCompanyId: Type.Optional(IdSchema),
  },
  {
    additionalProperties: false,
    examples: [
      {
        deliveryDate: '2026-12-15',
        vehicleType: 'bike',
        vehicleCount: 2,
        capacity: 20,
        shiftStart: '2026-12-15T07:00:00Z',
        shiftEnd: '2026-12-15T15:00:00Z',
        maxDistanceMetres: 60000,
      },
    ],
  },
);

export const CourierShiftSchema = Type.Object({
  id: IdSchema,
  officeId: IdSchema,
  deliveryDate: DeliveryDateSchema,
  vehicleType: VehicleTypeSchema,
  vehicleCount: Type.Integer(),
  capacity: Type.Integer(),
  shiftStart: TimestampSchema,
  shiftEnd: TimestampSchema,
  maxDistanceMetres: Type.Union([Type.Integer(), Type.Null()]),
  courierCompanyId: Type.Union([IdSchema, Type.Null()], { description: 'The courier company whose couriers work the shift' }),
  createdAt: TimestampSchema,
});

export const ListCourierShiftsQuery = Type.Object({ deliveryDate: DeliveryDateSchema }, { additionalProperties: false });
export const CourierShiftListSchema = Type.Object({ data: Type.Array(CourierShiftSchema) });

export const CreatePlanBody = Type.Object(
  { deliveryDate: DeliveryDateSchema },
  { additionalProperties: false, examples: [{ deliveryDate: '2026-12-15' }] },
);

const PlanStatusSchema = Type.Union(PLAN_STATUSES.map((s) => Type.Literal(s)));

const ProgressSchema = Type.Object({
  percent: Type.Integer({ minimum: 0, maximum: 100 }),
  elapsedMs: Type.Integer(),
  iterations: Type.Integer(),
  bestCost: Type.Number(),
  unassigned: Type.Integer(),
  updatedAt: TimestampSchema,
});

const StatsSchema = Type.Object({
  stops: Type.Integer(),
  vehicles: Type.Integer(),
  routes: Type.Integer(),
  assigned: Type.Integer(),
  unassigned: Type.Integer(),
  distanceMetres: Type.Integer(),
  durationSeconds: Type.Integer(),
  cost: Type.Number(),
  objective: Type.String({ maxLength: 20 }),
  iterations: Type.Integer(),
  elapsedMs: Type.Integer(),
  bestIteration: Type.Integer(),
  seed: Type.Integer(),
  stoppedBy: Type.String({ maxLength: 40 }),
  matrix: Type.String({ maxLength: 20 }),
});

export const PlanSummarySchema = Type.Object({
  id: IdSchema,
  officeId: IdSchema,
  deliveryDate: DeliveryDateSchema,
  status: PlanStatusSchema,
  jobId: Type.Union([Type.String({ maxLength: 200 }), Type.Null()]),
  progress: Type.Union([ProgressSchema, Type.Null()]),
  stats: Type.Union([StatsSchema, Type.Null()]),
  error: Type.Union([Type.String({ maxLength: 2000 }), Type.Null()]),
  requestedByStaffId: Type.Union([IdSchema, Type.Null()]),
  confirmedByStaffId: Type.Union([IdSchema, Type.Null()]),
  confirmedAt: Type.Union([TimestampSchema, Type.Null()]),
  startedAt: Type.Union([TimestampSchema, Type.Null()]),
  finishedAt: Type.Union([TimestampSchema, Type.Null()]),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});

const JobSchema = Type.Object({
  id: Type.String({ maxLength: 200 }),
  state: Type.String({ maxLength: 40, description: 'BullMQ state when the request was answered (waiting, active, …)' }),
});

export const CreatePlanResponse = Type.Object({ plan: PlanSummarySchema, job: JobSchema });

const PlanStopSchema = Type.Object({
  sequence: Type.Integer({ minimum: 1 }),
  bookingId: IdSchema,
  applicationNumber: Type.String({ maxLength: 32 }),
  postalCode: Type.String({ maxLength: 5 }),
  vehicleType: VehicleTypeSchema,
  plannedArrival: TimestampSchema,
  serviceStart: TimestampSchema,
  departure: TimestampSchema,
  announcedWindow: DeliveryWindowSchema,
});

const PlanRouteSchema = Type.Object({
  id: IdSchema,
  sequence: Type.Integer({ minimum: 1 }),
  vehicleId: Type.String({ maxLength: 100 }),
  vehicleType: VehicleTypeSchema,
  shiftId: IdSchema,
  startsAt: TimestampSchema,
  endsAt: TimestampSchema,
  distanceMetres: Type.Integer(),
  durationSeconds: Type.Integer(),
  travelSeconds: Type.Integer(),
  dispatchStatus: Type.Union(
    ROUTE_DISPATCH_STATUSES.map((st) => Type.Literal(st)),
    {
      description: '`unstaffed`: no courier company took the route; release it (releaseRoute) to plan its bookings for another day',
    },
  ),
  courierCompanyId: Type.Union([IdSchema, Type.Null()]),
  stops: Type.Array(PlanStopSchema),
});

export const PlanSchema = Type.Object({
  ...PlanSummarySchema.properties,
  routes: Type.Array(PlanRouteSchema),
  unassigned: Type.Array(
    Type.Object({
      bookingId: IdSchema,
      applicationNumber: Type.String({ maxLength: 32 }),
      reason: Type.String({
        maxLength: 40,
        description:
          "The route solver's reason, e.g. no_allowed_vehicle (no shift of an allowed vehicle type), time_window_unreachable, no_capacity_left",
      }),
    }),
  ),
});

export const ConfirmPlanResponse = Type.Object({
  plan: PlanSummarySchema,
  bookingIds: Type.Array(IdSchema, { description: 'Bookings now in status planned' }),
});

const FeaturePropertiesSchema = Type.Object({
  kind: Type.Union([Type.Literal('depot'), Type.Literal('route'), Type.Literal('stop'), Type.Literal('unassigned')]),
  officeId: Type.Optional(IdSchema),
  routeId: Type.Optional(IdSchema),
  routeSequence: Type.Optional(Type.Integer()),
  vehicleId: Type.Optional(Type.String({ maxLength: 100 })),
  vehicleType: Type.Optional(VehicleTypeSchema),
  startsAt: Type.Optional(TimestampSchema),
  endsAt: Type.Optional(TimestampSchema),
  distanceMetres: Type.Optional(Type.Integer()),
  durationSeconds: Type.Optional(Type.Integer()),
  stopCount: Type.Optional(Type.Integer()),
  bookingId: Type.Optional(IdSchema),
  applicationNumber: Type.Optional(Type.String({ maxLength: 32 })),
  stopSequence: Type.Optional(Type.Integer()),
  plannedArrival: Type.Optional(TimestampSchema),
  announcedStart: Type.Optional(TimestampSchema),
  announcedEnd: Type.Optional(TimestampSchema),
  reason: Type.Optional(Type.String({ maxLength: 40 })),
});

export const PlanGeoJsonSchema = Type.Object(
  {
    type: Type.Literal('FeatureCollection'),
    features: Type.Array(
      Type.Object({
        type: Type.Literal('Feature'),
        id: Type.String({ maxLength: 100 }),
        geometry: Type.Union([
          Type.Object({ type: Type.Literal('Point'), coordinates: LngLatSchema }),
          Type.Object({ type: Type.Literal('LineString'), coordinates: Type.Array(LngLatSchema, { minItems: 2 }) }),
        ]),
        properties: FeaturePropertiesSchema,
      }),
    ),
  },
  { description: 'RFC 7946 GeoJSON: open it in QGIS or geojson.io' },
);
