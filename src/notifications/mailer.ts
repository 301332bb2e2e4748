import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { MailTransportConfig } from './notifications.config.ts';

export interface OutgoingMail {
  /** The notification id: the file name of a folder mail and the local part of the Message-ID. */
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The same on every attempt, so a receiver can drop a second copy after a crash between send and record. */
  messageId: string;
  locale: string;
}

/** Sends one mail or throws; says nothing about the recipient in its errors. */
export interface Mailer {
  kind: 'smtp' | 'folder';
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** A send the SMTP server refused or that could not reach it: `code` is nodemailer's (ECONNECTION, EENVELOPE, …). */
export class MailSendError extends Error {
  constructor(readonly code: string) {
    super(`mail not sent: ${code}`);
    this.name = 'MailSendError';
  }
}

/** `Message-ID: <notification id@domain of MAIL_FROM>`. */
export function messageIdFor(notificationId: string, from: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'amtsbote.invalid';
  return `<${notificationId}@${domain}>`;
}

const message = (from: string, mail: OutgoingMail) => ({
  from,
  to: mail.to,
  subject: mail.subject,
  text: mail.text,
  html: mail.html,
  messageId: mail.messageId,
  headers: { 'Content-Language': mail.locale, 'Auto-Submitted': 'auto-generated' },
});

export function createMailer(config: MailTransportConfig): Mailer {
  return config.kind === 'folder' ? createFolderMailer(config.dir, config.from) : createSmtpMailer(config);
}

function createSmtpMailer(config: Extract<MailTransportConfig, { kind: 'smtp' }>): Mailer {
  // nodemailer's own logger stays off: it would write addresses and server replies to the log.
  const common = { logger: false, debug: false, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } as const;
  const transport =
    'url' in config
      ? nodemailer.createTransport({ ...common, url: config.url } as Parameters<typeof nodemailer.createTransport>[0])
      : nodemailer.createTransport({
          ...common,
          host: config.host,
          port: config.port,
          secure: config.secure,
          ...(config.auth ? { auth: config.auth } : {}),
        });
  return {
    kind: 'smtp',
    async send(mail) {
      try {
        await transport.sendMail(message(config.from, mail));
      } catch (err) {
        // The error's message may quote the recipient (a refused RCPT TO); only its code goes on.
        throw new MailSendError(String((err as { code?: unknown }).code ?? 'ESEND').slice(0, 40));
      }
    },
    close: () => transport.close(),
  };
}

/** What the local mail page shows of a folder mail (the .eml beside it is the message as sent). */
export interface FolderMail {
  id: string;
  to: string;
  subject: string;
  date: string;
  text: string;
  html: string;
}

/**
 * Without SMTP settings the mails are written to `DATA_DIR/mails`: `<id>.eml` (the RFC 822
 * message nodemailer builds, to open in a mail program) and `<id>.json` for the local page. The
 * name is the notification's id, so a second send of one notification overwrites its file.
 */
function createFolderMailer(dir: string, from: string): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  let made = false;
  const put = async (name: string, content: string | Buffer) => {
    const tmp = join(dir, `.${name}.tmp`);
    // Owner only: the files hold personal data (the recipient's address).
    await writeFile(tmp, content, { mode: 0o600 });
    await rename(tmp, join(dir, name));
  };
  return {
    kind: 'folder',
    async send(mail) {
      if (!made) {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        made = true;
      }
      const info = await transport.sendMail(message(from, mail));
      await put(`${mail.id}.eml`, info.message as Buffer);
      const shown: FolderMail = {
        id: mail.id,
        to: mail.to,
        subject: mail.subject,
        date: new Date().toISOString(),
        text: mail.text,
        html: mail.html,
      };
      await put(`${mail.id}.json`, JSON.stringify(shown));
    },
    close: () => transport.close(),
  };
}
