import { join } from 'node:path';
import type { Env } from '../config/config.ts';

/** Where the mails go: an SMTP server, or (no SMTP settings) .eml files a newcomer can open. */
export type MailTransportConfig =
  | { kind: 'smtp'; url: string; from: string }
  | { kind: 'smtp'; host: string; port: number; secure: boolean; auth: { user: string; pass: string } | null; from: string }
  | { kind: 'folder'; dir: string; from: string };

export interface SmsConfig {
  url: string;
  token: string;
  timeoutMs: number;
}

export interface NotificationsConfig {
  enabled: boolean;
  relayEveryMs: number;
  mail: MailTransportConfig;
  /** Null: no SMS is sent (and no SMS rows are made). */
  sms: SmsConfig | null;
  /** The base of links in mails: PUBLIC_BASE_URL, else where the API listens. */
  publicBaseUrl: string;
}

/** The notifications slice of the configuration; throws with the variable's name (config.ts makes it a ConfigError). */
export function notificationsConfig(env: Env): NotificationsConfig {
  const from = env.MAIL_FROM;
  let mail: MailTransportConfig;
  if (env.SMTP_URL && env.SMTP_HOST) throw new Error('SMTP_URL and SMTP_HOST: set one of them, not both');
  if (env.SMTP_URL) {
    mail = { kind: 'smtp', url: env.SMTP_URL, from };
  } else if (env.SMTP_HOST) {
    if ((env.SMTP_USER === undefined) !== (env.SMTP_PASSWORD === undefined)) {
      throw new Error('SMTP_USER and SMTP_PASSWORD go together: set both or neither');
    }
    const secure = env.SMTP_SECURE === 'true';
    mail = {
      kind: 'smtp',
      host: env.SMTP_HOST,
      port: env.SMTP_PORT ?? (secure ? 465 : 587),
      secure,
      auth: env.SMTP_USER !== undefined && env.SMTP_PASSWORD !== undefined ? { user: env.SMTP_USER, pass: env.SMTP_PASSWORD } : null,
      from,
    };
  } else {
    if (env.SMTP_USER || env.SMTP_PASSWORD || env.SMTP_PORT) throw new Error('SMTP_USER, SMTP_PASSWORD and SMTP_PORT need SMTP_HOST');
    mail = { kind: 'folder', dir: join(env.DATA_DIR, 'mails'), from };
  }
  if ((env.SMS_HTTP_URL === undefined) !== (env.SMS_HTTP_TOKEN === undefined)) {
    throw new Error('SMS_HTTP_URL and SMS_HTTP_TOKEN go together: set both or neither');
  }
  const sms =
    env.SMS_HTTP_URL && env.SMS_HTTP_TOKEN
      ? { url: env.SMS_HTTP_URL, token: env.SMS_HTTP_TOKEN, timeoutMs: env.SMS_HTTP_TIMEOUT_MS }
      : null;
  const host = env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST;
  return {
    enabled: env.NOTIFICATIONS === 'on',
    relayEveryMs: env.NOTIFICATION_RELAY_EVERY_MS,
    mail,
    sms,
    publicBaseUrl: (env.PUBLIC_BASE_URL ?? `http://${host}:${env.PORT}`).replace(/\/+$/, ''),
  };
}
