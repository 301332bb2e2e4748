import { Type } from '@sinclair/typebox';
import { ROUTE_DISPATCH_STATUSES } from '../planning/planning.table.ts';
import { BookingStatusSchema } from '../bookings/bookings.schemas.ts';
import { DateSchema, IdSchema, LngLatSchema, TimestampSchema, VehicleTypeSchema } from '../shared/schemas.ts';
import { IDENTITY_METHODS, OFFER_STATUSES } from './dispatch.table.ts';

export const RouteDispatchStatusSchema = Type.Union(ROUTE_DISPATCH_STATUSES.map((s) => Type.Literal(s)));
const IdentityMethodSchema = Type.Union(IDENTITY_METHODS.map((m) => Type.Literal(m)));
const Window = Type.Object({ start: TimestampSchema, end: TimestampSchema });

/** What a company's courier needs at a door: the same shape as route.offered's `data`. */
export const CourierStopSchema = Type.Object({
  jobId: Type.String({ maxLength: 36, description: 'Opaque id of the job (the stop); events about it carry it' }),
  sequence: Type.Integer({ minimum: 1 }),
  recipient: Type.Object({ name: Type.String({ maxLength: 200 }), phone: Type.String({ maxLength: 30 }) }),
  address: Type.Object({
    street: Type.String({ maxLength: 200 }),
    houseNumber: Type.String({ maxLength: 20 }),
    addressLine2: Type.Optional(Type.String({ maxLength: 200 })),
    postalCode: Type.String({ maxLength: 10 }),
    city: Type.String({ maxLength: 100 }),
  }),
  location: LngLatSchema,
  window: Window,
  plannedArrival: TimestampSchema,
  identityCheck: Type.Object({ requiredMethods: Type.Array(IdentityMethodSchema), minor: Type.Boolean() }),
});

export const CourierRouteDataSchema = Type.Object({
  routeId: IdSchema,
  version: Type.Integer({ minimum: 0 }),
  deliveryDate: DateSchema,
  office: Type.Object({
    id: IdSchema,
    name: Type.String({ maxLength: 200 }),
    address: Type.String({ maxLength: 300 }),
    location: LngLatSchema,
  }),
  vehicleType: VehicleTypeSchema,
  pickupAt: TimestampSchema,
  returnBy: TimestampSchema,
  distanceMetres: Type.Integer({ minimum: 0 }),
  offerDeadline: Type.Union([TimestampSchema, Type.Null()]),
  stops: Type.Array(CourierStopSchema),
});

export const CourierRouteSchema = Type.Object({
  dispatchStatus: RouteDispatchStatusSchema,
  route: CourierRouteDataSchema,
  jobs: Type.Array(Type.Object({ jobId: Type.String({ maxLength: 36 }), status: BookingStatusSchema })),
});

export const CourierRouteSummarySchema = Type.Object({
  routeId: IdSchema,
  deliveryDate: DateSchema,
  officeId: IdSchema,
  dispatchStatus: RouteDispatchStatusSchema,
  vehicleType: VehicleTypeSchema,
  pickupAt: TimestampSchema,
  returnBy: TimestampSchema,
  version: Type.Integer({ minimum: 0 }),
});

export const OwnRoutesQuery = Type.Object(
  { deliveryDate: Type.Optional(DateSchema), status: Type.Optional(RouteDispatchStatusSchema) },
  { additionalProperties: false },
);

export const DeclineRouteBody = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false, examples: [{ reason: 'No rider free that afternoon' }] },
);

const ScanFields = {
  scanned: Type.Array(Type.String({ minLength: 1, maxLength: 32 }), {
    minItems: 1,
    maxItems: 500,
    description: 'Application numbers as scanned from the documents, in any order',
  }),
  courierName: Type.String({ minLength: 1, maxLength: 200, description: 'The courier who takes (or brings back) the documents' }),
  courierRef: Type.String({ minLength: 1, maxLength: 100, description: "The courier company's own id for the courier" }),
};

export const StartHandoverBody = Type.Object(ScanFields, {
  additionalProperties: false,
  examples: [{ scanned: ['L01X00T47', 'L01X00T48'], courierName: 'Mia Berger', courierRef: 'rider-17' }],
});

export const HandoverSchema = Type.Object({
  id: IdSchema,
  routeId: IdSchema,
  kind: Type.Union([Type.Literal('handover'), Type.Literal('return')]),
  status: Type.Union([Type.Literal('started'), Type.Literal('confirmed'), Type.Literal('superseded')]),
  bookingIds: Type.Array(IdSchema),
  courierName: Type.String({ maxLength: 200 }),
  courierRef: Type.String({ maxLength: 100 }),
  startedByStaffId: IdSchema,
  startedAt: TimestampSchema,
  confirmedByStaffId: Type.Union([IdSchema, Type.Null()]),
  confirmedAt: Type.Union([TimestampSchema, Type.Null()]),
});

export const ConfirmedHandoverSchema = Type.Object({
  handover: HandoverSchema,
  bookings: Type.Array(Type.Object({ bookingId: IdSchema, status: BookingStatusSchema })),
});

export const StaffRouteSchema = Type.Object({
  id: IdSchema,
  planId: IdSchema,
  officeId: IdSchema,
  deliveryDate: DateSchema,
  sequence: Type.Integer(),
  vehicleType: VehicleTypeSchema,
  dispatchStatus: RouteDispatchStatusSchema,
  courierCompanyId: Type.Union([IdSchema, Type.Null()]),
  version: Type.Integer(),
  startsAt: TimestampSchema,
  endsAt: TimestampSchema,
  acceptedAt: Type.Union([TimestampSchema, Type.Null()]),
  handedOverAt: Type.Union([TimestampSchema, Type.Null()]),
  startedAt: Type.Union([TimestampSchema, Type.Null()]),
  completedAt: Type.Union([TimestampSchema, Type.Null()]),
  unstaffedAt: Type.Union([TimestampSchema, Type.Null()]),
  offers: Type.Array(
    Type.Object({
      id: IdSchema,
      companyId: IdSchema,
      status: Type.Union(OFFER_STATUSES.map((s) => Type.Literal(s))),
      offeredAt: TimestampSchema,
      deadline: TimestampSchema,
      answeredAt: Type.Union([TimestampSchema, Type.Null()]),
      declineReason: Type.Union([Type.String({ maxLength: 500 }), Type.Null()]),
    }),
  ),
  stops: Type.Array(
    Type.Object({
      jobId: IdSchema,
      bookingId: IdSchema,
      sequence: Type.Integer(),
      applicationNumber: Type.String({ maxLength: 32 }),
      status: BookingStatusSchema,
      custodyHolder: Type.Union([Type.Literal('office'), Type.Literal('courier'), Type.Literal('citizen'), Type.Null()]),
      deliveryAttempts: Type.Integer(),
      pinLetterPending: Type.Boolean(),
      window: Window,
    }),
  ),
  identityChecks: Type.Array(
    Type.Object({
      bookingId: IdSchema,
      attempt: Type.Integer(),
      methods: Type.Array(Type.String({ maxLength: 40 })),
      passed: Type.Boolean(),
      checkedAt: TimestampSchema,
      courierRef: Type.String({ maxLength: 100 }),
      distanceMetres: Type.Integer(),
      flaggedForReview: Type.Boolean(),
      oldDocumentCollected: Type.Boolean(),
    }),
  ),
  handovers: Type.Array(HandoverSchema),
});

export const ReleasedRouteSchema = Type.Object({
  routeId: IdSchema,
  dispatchStatus: RouteDispatchStatusSchema,
  releasedBookingIds: Type.Array(IdSchema),
});

export const CourierEventResultSchema = Type.Object({
  received: Type.Literal(true),
  outcome: Type.Union([Type.Literal('applied'), Type.Literal('duplicate'), Type.Literal('stale'), Type.Literal('counted_as_failed')], {
    description:
      '`duplicate`: this event id was applied before; `stale`: the delivery had moved on already (nothing changed); `counted_as_failed`: a delivery without a passed identity check is a failed attempt',
  }),
});

export const CustodyChainSchema = Type.Object({
  bookingId: IdSchema,
  holder: Type.Union([Type.Literal('office'), Type.Literal('courier'), Type.Literal('citizen'), Type.Null()]),
  entries: Type.Array(
    Type.Object({
      seq: Type.Integer(),
      from: Type.Union([Type.String({ maxLength: 10 }), Type.Null()]),
      to: Type.String({ maxLength: 10 }),
      event: Type.String({ maxLength: 40 }),
      routeId: Type.Union([IdSchema, Type.Null()]),
      courierCompanyId: Type.Union([IdSchema, Type.Null()]),
      courierRef: Type.Union([Type.String({ maxLength: 100 }), Type.Null()]),
      courierName: Type.Union([Type.String({ maxLength: 200 }), Type.Null()]),
      staffIds: Type.Array(IdSchema),
      recordedAt: TimestampSchema,
      hash: Type.String({ maxLength: 64 }),
    }),
  ),
});
