import type { Database } from '../db/client.ts';
import type { Queues } from '../jobs/queues.ts';
import { createMailer } from './mailer.ts';
import { createNotificationRelay } from './notification-relay.ts';
import { createNotificationSender } from './notification-sender.ts';
import type { NotificationsConfig } from './notifications.config.ts';
import { createHttpSmsSender } from './sms-sender.ts';

/** The sender with the configured mail transport and SMS gateway, and the relay (what the worker runs). */
export function createNotifications(deps: { db: Database; queues: Queues; config: NotificationsConfig; clock: () => Date }) {
  const mailer = createMailer(deps.config.mail);
  const sms = deps.config.sms ? createHttpSmsSender(deps.config.sms) : null;
  return {
    mailer,
    sender: createNotificationSender({
      db: deps.db,
      mailer,
      sms,
      from: deps.config.mail.from,
      publicBaseUrl: deps.config.publicBaseUrl,
      clock: deps.clock,
    }),
    relay: createNotificationRelay({ db: deps.db, queues: deps.queues, smsEnabled: sms !== null, clock: deps.clock }),
  };
}
