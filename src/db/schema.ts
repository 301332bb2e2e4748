/** Every table, for drizzle-kit and for the typed database handle. */
export * from '../offices/offices.table.ts';
export * from '../quotes/quotes.table.ts';
export * from '../bookings/bookings.table.ts';
export * from '../payments/payments.table.ts';
export * from '../auth/auth.table.ts';
export * from '../audit/audit.table.ts';
export * from '../idempotency/idempotency.table.ts';
export * from '../couriers/couriers.table.ts';
export * from '../planning/planning.table.ts';
export * from '../custody/custody-holder.ts';
export * from '../custody/custody.table.ts';
export * from '../dispatch/dispatch.table.ts';
export * from '../handover/handover.table.ts';
export * from '../webhooks/webhooks.table.ts';
export * from '../finance/finance.table.ts';
export * from '../finance/reconciliation.table.ts';
export * from '../notifications/notifications.table.ts';
