import type { BookingLocale } from '../bookings/bookings.table.ts';
import type { NotificationKind } from './notifications.table.ts';

/** What a message may say: nothing but what the citizen needs to recognise and follow their delivery. */
export interface MessageData {
  kassenzeichen: string;
  officeName: string;
  officeTimezone: string;
  trackingUrl: string;
  /** The announced window of a planned delivery. */
  window?: { start: Date; end: Date } | null;
  refund?: { amountCents: number; currency: string } | null;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** Everything from the data is escaped before it goes into HTML; the texts themselves are ours. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

const LOCALE_TAG: Record<BookingLocale, string> = { de: 'de-DE', en: 'en-GB' };

export function formatWindow(window: { start: Date; end: Date }, timeZone: string, locale: BookingLocale): string {
  const tag = LOCALE_TAG[locale];
  const day = new Intl.DateTimeFormat(tag, { timeZone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(
    window.start,
  );
  const time = new Intl.DateTimeFormat(tag, { timeZone, hour: '2-digit', minute: '2-digit' });
  return locale === 'de'
    ? `${day}, ${time.format(window.start)}–${time.format(window.end)} Uhr`
    : `${day}, ${time.format(window.start)}–${time.format(window.end)}`;
}

export function formatMoney(amountCents: number, currency: string, locale: BookingLocale): string {
  return new Intl.NumberFormat(LOCALE_TAG[locale], { style: 'currency', currency }).format(amountCents / 100);
}

/** A message: a subject and paragraphs; `{link}` marks where the tracking link goes. */
interface Wording {
  subject: string;
  paragraphs: string[];
}

type Words = (d: MessageData, l: BookingLocale) => Wording;

const window = (d: MessageData, l: BookingLocale) => (d.window ? formatWindow(d.window, d.officeTimezone, l) : null);

const DE: Record<NotificationKind, Words> = {
  booking_confirmed: (d) => ({
    subject: `Ihre Zustellung ist gebucht (${d.kassenzeichen})`,
    paragraphs: [
      `Ihre Buchung der Zustellung Ihres Ausweisdokuments beim ${d.officeName} ist eingegangen. Kassenzeichen: ${d.kassenzeichen}.`,
      'Sobald die Zahlung eingegangen ist, bestätigen wir sie Ihnen. Den Stand Ihrer Zustellung sehen Sie hier: {link}',
      'Bitte geben Sie diesen Link nicht weiter: Wer ihn hat, kann Ihre Zustellung verfolgen und ändern.',
    ],
  }),
  payment_received: (d) => ({
    subject: `Zahlung eingegangen (${d.kassenzeichen})`,
    paragraphs: [
      `Ihre Zahlung für die Zustellung ist eingegangen. Kassenzeichen: ${d.kassenzeichen}.`,
      'Wenn Ihr Dokument im Bürgerbüro angekommen ist, planen wir die Zustellung und nennen Ihnen das Zeitfenster.',
      'Stand Ihrer Zustellung: {link}',
    ],
  }),
  window_announced: (d, l) => ({
    subject: `Ihr Zustelltermin (${d.kassenzeichen})`,
    paragraphs: [
      `Ihr Dokument wird zugestellt: ${window(d, l) ?? 'das Zeitfenster finden Sie unter dem Link unten'}.`,
      'Bitte halten Sie Ihren Ausweis oder Reisepass bereit; der Kurier prüft an der Tür, wer Sie sind.',
      'Stand Ihrer Zustellung: {link}',
    ],
  }),
  out_for_delivery: (d, l) => ({
    subject: `Ihr Dokument ist unterwegs (${d.kassenzeichen})`,
    paragraphs: [
      `Der Kurier ist mit Ihrem Dokument unterwegs${window(d, l) ? ` (angekündigt: ${window(d, l)})` : ''}.`,
      'Stand Ihrer Zustellung: {link}',
    ],
  }),
  delivered: (d) => ({
    subject: `Ihr Dokument wurde zugestellt (${d.kassenzeichen})`,
    paragraphs: ['Ihr Dokument wurde Ihnen übergeben. Vielen Dank, dass Sie die Zustellung genutzt haben.'],
  }),
  attempt_failed: (d) => ({
    subject: `Zustellung nicht möglich (${d.kassenzeichen})`,
    paragraphs: [
      'Der Kurier konnte Ihr Dokument heute nicht übergeben. Wir planen einen neuen Termin und melden uns, oder das Dokument geht an das Bürgerbüro zurück.',
      'Stand Ihrer Zustellung: {link}',
    ],
  }),
  returned_to_office: (d) => ({
    subject: `Ihr Dokument liegt im Bürgerbüro (${d.kassenzeichen})`,
    paragraphs: [`Ihr Dokument ist wieder beim ${d.officeName}. Sie können es dort zu den Öffnungszeiten abholen.`],
  }),
  refund_made: (d, l) => ({
    subject: `Erstattung veranlasst (${d.kassenzeichen})`,
    paragraphs: [
      `Wir haben ${d.refund ? formatMoney(d.refund.amountCents, d.refund.currency, l) : 'den Betrag'} an Ihr Zahlungsmittel zurückerstattet. Die Gutschrift kann einige Tage dauern.`,
    ],
  }),
};

const EN: Record<NotificationKind, Words> = {
  booking_confirmed: (d) => ({
    subject: `Your delivery is booked (${d.kassenzeichen})`,
    paragraphs: [
      `We have received your booking for the delivery of your ID document from ${d.officeName}. Reference (Kassenzeichen): ${d.kassenzeichen}.`,
      'We will confirm your payment as soon as it arrives. Follow your delivery here: {link}',
      'Please do not share this link: whoever has it can follow and change your delivery.',
    ],
  }),
  payment_received: (d) => ({
    subject: `Payment received (${d.kassenzeichen})`,
    paragraphs: [
      `We have received your payment for the delivery. Reference (Kassenzeichen): ${d.kassenzeichen}.`,
      'Once your document has arrived at the citizen office, we plan the delivery and tell you the time window.',
      'Your delivery: {link}',
    ],
  }),
  window_announced: (d, l) => ({
    subject: `Your delivery time (${d.kassenzeichen})`,
    paragraphs: [
      `Your document will be delivered: ${window(d, l) ?? 'see the link below for the time window'}.`,
      'Please have your ID card or passport ready; the courier checks who you are at the door.',
      'Your delivery: {link}',
    ],
  }),
  out_for_delivery: (d, l) => ({
    subject: `Your document is on its way (${d.kassenzeichen})`,
    paragraphs: [
      `The courier is on the way with your document${window(d, l) ? ` (announced: ${window(d, l)})` : ''}.`,
      'Your delivery: {link}',
    ],
  }),
  delivered: (d) => ({
    subject: `Your document has been delivered (${d.kassenzeichen})`,
    paragraphs: ['Your document has been handed to you. Thank you for using the delivery service.'],
  }),
  attempt_failed: (d) => ({
    subject: `Delivery not possible (${d.kassenzeichen})`,
    paragraphs: [
      'The courier could not hand over your document today. We will plan a new delivery and let you know, or the document goes back to the citizen office.',
      'Your delivery: {link}',
    ],
  }),
  returned_to_office: (d) => ({
    subject: `Your document is at the citizen office (${d.kassenzeichen})`,
    paragraphs: [`Your document is back at ${d.officeName}. You can collect it there during opening hours.`],
  }),
  refund_made: (d, l) => ({
    subject: `Refund made (${d.kassenzeichen})`,
    paragraphs: [
      `We have refunded ${d.refund ? formatMoney(d.refund.amountCents, d.refund.currency, l) : 'the amount'} to your means of payment. It may take a few days to arrive.`,
    ],
  }),
};

const WORDS: Record<BookingLocale, Record<NotificationKind, Words>> = { de: DE, en: EN };
const GREETING: Record<BookingLocale, { hello: string; footer: string }> = {
  de: { hello: 'Guten Tag,', footer: 'Diese Nachricht wurde automatisch versandt. Bitte antworten Sie nicht darauf.' },
  en: { hello: 'Hello,', footer: 'This message was sent automatically. Please do not reply to it.' },
};

/** The e-mail for a notification, as plain text and HTML; no name or address of the citizen in it. */
export function renderMail(kind: NotificationKind, locale: BookingLocale, data: MessageData): RenderedMail {
  const { subject, paragraphs } = WORDS[locale][kind](data, locale);
  const { hello, footer } = GREETING[locale];
  const text = [
    hello,
    ...paragraphs.map((p) => p.replace('{link}', data.trackingUrl)),
    `-- \n${data.officeName} · Amtsbote\n${footer}`,
  ].join('\n\n');
  const link = `<a href="${escapeHtml(data.trackingUrl)}">${escapeHtml(data.trackingUrl)}</a>`;
  const body = [hello, ...paragraphs].map((p) => `<p>${escapeHtml(p).replace('{link}', link)}</p>`).join('\n');
  const html =
    `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>` +
    `<body style="font-family:sans-serif;line-height:1.5;max-width:40em">\n${body}\n` +
    `<hr><p style="color:#555;font-size:90%">${escapeHtml(data.officeName)} · Amtsbote<br>${escapeHtml(footer)}</p></body></html>`;
  return { subject, text, html };
}

/** The short text of an SMS (only some kinds go by SMS, see SMS_KINDS). */
export function renderSms(kind: NotificationKind, locale: BookingLocale, data: MessageData): string {
  const { subject } = WORDS[locale][kind](data, locale);
  return `${data.officeName}: ${subject}. ${data.trackingUrl}`;
}
