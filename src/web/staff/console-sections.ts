import type { StaffRole } from '../../auth/auth.table.ts';
import type { MessageKey } from '../i18n.ts';

/**
 * The consoles' sections: where each starts and who may open it. The navigation and the overview
 * show a staff member only the sections of their roles; each section's routes check the same roles.
 * Only sections that exist are listed.
 */
export const CONSOLE_SECTIONS = [
  { id: 'counter', href: '/amt/schalter', label: 'staff.nav.counter', roles: ['clerk', 'supervisor'] },
  { id: 'bookings', href: '/amt/buchungen', label: 'staff.nav.bookings', roles: ['clerk', 'supervisor'] },
  { id: 'planning', href: '/amt/planung', label: 'staff.nav.planning', roles: ['supervisor'] },
  { id: 'handover', href: '/amt/uebergabe', label: 'staff.nav.handover', roles: ['clerk', 'supervisor'] },
  { id: 'admin', href: '/amt/verwaltung', label: 'staff.nav.admin', roles: ['admin'] },
  // bull-board's dashboard of the job queues (queue-dashboard.routes.ts), a page of its own.
  { id: 'queues', href: '/amt/verwaltung/warteschlangen', label: 'staff.nav.queues', roles: ['admin'] },
  { id: 'finance', href: '/amt/finanzen', label: 'staff.nav.finance', roles: ['finance'] },
] as const satisfies readonly { id: string; href: string; label: MessageKey; roles: readonly StaffRole[] }[];

export type ConsoleSectionId = (typeof CONSOLE_SECTIONS)[number]['id'];

export const SECTION_ROLES = Object.fromEntries(CONSOLE_SECTIONS.map((s) => [s.id, s.roles])) as {
  [K in ConsoleSectionId]: Extract<(typeof CONSOLE_SECTIONS)[number], { id: K }>['roles'];
};

/** The sections a staff member may open, in the navigation's order. */
export const sectionsFor = (roles: readonly StaffRole[]) =>
  CONSOLE_SECTIONS.filter((s) => s.roles.some((r) => (roles as readonly string[]).includes(r)));
