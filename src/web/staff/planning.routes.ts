import type { App } from '../../shared/app-types.ts';
import type { StaffConsoleDeps } from './staff.routes.ts';

/** The supervisor's console: courier shifts, plans on a map with their table, unassigned bookings, confirm and withdraw. */
export async function planningConsoleRoutes(_app: App, _deps: StaffConsoleDeps & { sandbox: boolean }) {}
