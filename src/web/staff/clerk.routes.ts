import type { App } from '../../shared/app-types.ts';
import type { StaffConsoleDeps } from './staff.routes.ts';

/** The clerk's console at the counter: counter booking with its receipt, scan-in of arriving documents, the bookings (search, open, cancel). */
export async function clerkConsoleRoutes(_app: App, _deps: StaffConsoleDeps & { sandbox: boolean }) {}
