import { pgEnum } from 'drizzle-orm/pg-core';

/** Who can hold a document. Apart from the custody table, so the bookings table can use it too. */
export const CUSTODY_HOLDERS = ['office', 'courier', 'citizen'] as const;
export type CustodyHolder = (typeof CUSTODY_HOLDERS)[number];
export const custodyHolderEnum = pgEnum('custody_holder', CUSTODY_HOLDERS);
