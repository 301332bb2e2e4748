import { Type } from '@sinclair/typebox';
import { recordAudit, type AuditEntry } from '../audit/audit.repository.ts';
import { canActForOffice } from '../auth/office-scope.ts';
import { createBookingsRepository } from '../bookings/bookings.repository.ts';
import { createBookingNotFoundError, createTrackingNotFoundError } from '../bookings/bookings.errors.ts';
import { TrackingHeaders } from '../bookings/bookings.schemas.ts';
import type { Database } from '../db/client.ts';
import { access, staffOf } from '../plugins/access.plugin.ts';
import { RATE_LIMITS } from '../plugins/rate-limit.plugin.ts';
import type { App } from '../shared/app-types.ts';
import { errorResponses, IdParams } from '../shared/schemas.ts';
import { hashToken } from '../shared/tokens.ts';
import { erasePersonalData } from './erasure.ts';
import { personalDataOf } from './personal-data-export.ts';

const Entries = Type.Array(Type.Object({}, { additionalProperties: true }));
export const PersonalDataSchema = Type.Object(
  {
    booking: Type.Object({}, { additionalProperties: true }),
    events: Entries,
    payments: Entries,
    refunds: Entries,
    deliveryAttempts: Entries,
    identityChecks: Entries,
    notifications: Entries,
    custody: Entries,
    audit: Entries,
  },
  { description: "Everything the platform holds about the booking's recipient (GDPR Art. 15)" },
);

/** The citizen's right of access (GDPR Art. 15): for staff (audited) and for the citizen by tracking token. */
export async function privacyRoutes(app: App, opts: { db: Database; clock: () => Date }) {
  /** Every export is audited, whoever asked (before it is read: the export shows its own entry). */
  const auditExport = (booking: { id: string; officeId: string }, requestId: string, actor: Pick<AuditEntry, 'actorType' | 'actorId'>) =>
    recordAudit(opts.db, {
      ...actor,
      action: 'booking.personal_data_exported',
      subjectType: 'booking',
      subjectId: booking.id,
      officeId: booking.officeId,
      requestId,
    });

  app.get(
    '/v1/bookings/:id/personal-data',
    {
      config: { access: access.staff('clerk', 'supervisor') },
      schema: {
        operationId: 'exportPersonalData',
        tags: ['privacy'],
        summary: "Everything held about a booking's recipient, as JSON (GDPR Art. 15); the export is audited",
        params: IdParams,
        response: { 200: PersonalDataSchema, ...errorResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const staff = staffOf(request);
      const booking = await createBookingsRepository(opts.db).findById(request.params.id);
      // Another office's booking answers like a missing one.
      if (!booking || !canActForOffice(staff, booking.officeId)) throw createBookingNotFoundError();
      await auditExport(booking, String(request.id), { actorType: 'staff', actorId: staff.id });
      return reply.header('cache-control', 'no-store').send(await personalDataOf(opts.db, booking));
    },
  );

  app.get(
    '/v1/tracking/personal-data',
    {
      config: { access: access.public(), rateLimit: RATE_LIMITS.citizen },
      schema: {
        operationId: 'exportOwnPersonalData',
        tags: ['tracking'],
        summary: 'The citizen downloads everything held about their booking (GDPR Art. 15), with the tracking token',
        description: 'The tracking token travels in the Tracking-Token header. The export is audited.',
        headers: TrackingHeaders,
        response: { 200: PersonalDataSchema, ...errorResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const booking = await createBookingsRepository(opts.db).findByTrackingTokenHash(hashToken(request.headers['tracking-token']));
      if (!booking) throw createTrackingNotFoundError();
      await auditExport(booking, String(request.id), { actorType: 'citizen' });
      // The export's own audit entry is part of it: read after writing.
      return reply.header('cache-control', 'no-store').send(await personalDataOf(opts.db, booking));
    },
  );

  app.post(
    '/v1/bookings/:id/erase',
    {
      config: { access: access.staff('supervisor') },
      schema: {
        operationId: 'erasePersonalData',
        tags: ['privacy'],
        summary: "Erase a finished booking's personal data now, on the recipient's request (GDPR Art. 17)",
        description:
          'What the retention schedule does after PERSONAL_DATA_RETENTION_DAYS, at once: recipient, street and typed reasons removed, positions coarsened to about 1 km; amounts, Kassenzeichen and postal code stay. 409 while the booking has not ended. Idempotent; audited.',
        params: IdParams,
        response: {
          200: Type.Object({ erasedAt: Type.String({ format: 'date-time' }), alreadyErased: Type.Boolean() }),
          ...errorResponses(400, 404, 409),
        },
      },
    },
    async (request) => {
      const result = await erasePersonalData(opts.db, {
        bookingId: request.params.id,
        staff: staffOf(request),
        now: opts.clock(),
        requestId: String(request.id),
      });
      return { erasedAt: result.erasedAt.toISOString(), alreadyErased: result.alreadyErased };
    },
  );
}
