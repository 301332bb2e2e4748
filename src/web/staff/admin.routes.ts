import type { App } from '../../shared/app-types.ts';
import type { StaffConsoleDeps } from './staff.routes.ts';

/** The admin's console: courier companies (keys shown once, rotation, webhook deliveries, dead letters, offers), zones and tariffs, the custody chain of a document. */
export async function adminConsoleRoutes(_app: App, _deps: StaffConsoleDeps & { sandbox: boolean }) {}
