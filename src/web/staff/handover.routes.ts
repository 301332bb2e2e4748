import type { App } from '../../shared/app-types.ts';
import type { StaffConsoleDeps } from './staff.routes.ts';

/** The four-eyes handover of a route to its courier, and the check-in of the documents it brings back. */
export async function handoverConsoleRoutes(_app: App, _deps: StaffConsoleDeps & { sandbox: boolean }) {}
