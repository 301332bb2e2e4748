/**
 * Every text of the citizen's pages, German first, English second. The English catalogue must
 * have exactly the German keys (the type says so), so no page falls back to a missing text.
 * `{name}` in a text is replaced by the parameter of that name.
 */
const de = {
  'site.name': 'Amtsbote – Ausweis nach Hause',
  'site.tagline': 'Ihr neuer Ausweis oder Reisepass, vom Kurier gebracht',
  'site.skip': 'Zum Inhalt springen',
  'site.language': 'English',
  'site.sandbox': 'Testbetrieb: Zahlungen laufen über die Stripe-Testumgebung, es fließt kein echtes Geld.',
  'site.footer.kern': 'Gestaltet mit dem KERN-Designsystem (EUPL-1.2).',
  'site.footer.privacy': 'Wir speichern nur, was für die Zustellung nötig ist, und löschen es nach Abschluss.',
  'nav.book': 'Zustellung buchen',
  'nav.track': 'Sendung verfolgen',

  'start.title': 'Ausweisdokument nach Hause liefern lassen',
  'start.intro':
    'Statt ein zweites Mal ins Bürgerbüro zu kommen, lassen Sie Ihren Personalausweis oder Reisepass von einem Kurier bringen. Der Kurier prüft an der Tür Ihre Identität.',
  'start.chooseOffice': 'Wählen Sie Ihr Bürgerbüro',
  'start.bookAt': 'Zustellung buchen bei {office}',
  'start.trackHint': 'Sie haben schon gebucht?',
  'start.noOffices': 'Zurzeit bietet kein Bürgerbüro die Zustellung an.',

  'book.step': 'Schritt {n} von 3',
  'book.address.title': 'Wohin soll das Dokument gebracht werden?',
  'book.address.legend': 'Lieferadresse',
  'book.street': 'Straße',
  'book.houseNumber': 'Hausnummer',
  'book.addressLine2': 'Adresszusatz (optional)',
  'book.postalCode': 'Postleitzahl',
  'book.postalCode.hint': 'Fünf Ziffern, zum Beispiel 70173',
  'book.city': 'Ort',
  'book.area.legend': 'In welchem Gebiet liegt die Adresse?',
  'book.area.hint': 'So können wir den Preis berechnen. Der Kurier findet Sie über die Adresse.',
  'book.continue': 'Weiter',
  'book.back': 'Zurück',
  'book.details.title': 'Preis, Termin und Angaben',
  'book.vehicle.legend': 'Zustellung mit',
  'book.vehicle.bike': 'Fahrradkurier',
  'book.vehicle.ecar': 'Elektroauto',
  'book.vehicle.price': '{price}',
  'book.days.legend': 'An welchen Tagen sind Sie zu Hause?',
  'book.days.hint': 'Wählen Sie bis zu drei Tage. Wir nennen Ihnen später ein Zeitfenster von einer Stunde.',
  'book.days.span': '{day}, {from}–{to} Uhr',
  'book.person.legend': 'Wer nimmt das Dokument entgegen?',
  'book.name': 'Vor- und Nachname (wie im Dokument)',
  'book.phone': 'Telefonnummer',
  'book.phone.hint': 'Für den Kurier, falls er Sie nicht antrifft',
  'book.email': 'E-Mail-Adresse (optional)',
  'book.email.hint': 'Für die Buchungsbestätigung und den Zustelltermin',
  'book.document.legend': 'Ihr Antrag',
  'book.documentType': 'Dokument',
  'book.documentType.id_card': 'Personalausweis',
  'book.documentType.eid_card': 'eID-Karte',
  'book.documentType.passport': 'Reisepass',
  'book.documentType.child_passport': 'Kinderreisepass',
  'book.applicationNumber': 'Antragsnummer',
  'book.applicationNumber.hint': 'Steht auf Ihrer Antragsbestätigung des Bürgerbüros',
  'book.consent.legend': 'Vollmacht für den Kurier',
  'book.consent.text':
    'Ich bevollmächtige den vom Bürgerbüro beauftragten Kurierdienst, mein Ausweisdokument beim Bürgerbüro abzuholen und mir persönlich auszuhändigen. Der Kurier prüft an der Tür meine Identität; ein Dokument wird nur an mich übergeben.',
  'book.consent.agree': 'Ich erteile diese Vollmacht.',
  'book.pay': 'Verbindlich buchen und bezahlen',
  'book.total': 'Preis: {price}',

  'pay.title': 'Bezahlen',
  'pay.intro': 'Ihre Buchung ist angelegt. Bitte bezahlen Sie den Zuschlag auf der Zahlungsseite von Stripe.',
  'pay.kassenzeichen': 'Kassenzeichen',
  'pay.amount': 'Betrag',
  'pay.trackingCode': 'Ihr Sendungscode',
  'pay.trackingCode.hint': 'Bitte notieren Sie den Code: mit ihm verfolgen Sie die Zustellung. Wir zeigen ihn nur einmal.',
  'pay.button': 'Jetzt bezahlen',
  'pay.waiting': 'Wir warten auf die Bestätigung der Zahlung durch Stripe. Mit JavaScript aktualisiert sich diese Seite von selbst.',
  'pay.refresh': 'Stand jetzt abfragen',
  'pay.paid': 'Zahlung erhalten. Vielen Dank!',
  'pay.toTracking': 'Zur Sendungsverfolgung',

  'track.title': 'Sendung verfolgen',
  'track.enter': 'Geben Sie Ihren Sendungscode ein',
  'track.code': 'Sendungscode',
  'track.code.hint': 'Steht in Ihrer Bestätigung und auf dem Beleg des Bürgerbüros',
  'track.show': 'Anzeigen',
  'track.notFound': 'Zu diesem Code finden wir keine Buchung. Bitte prüfen Sie die Eingabe.',
  'track.status': 'Stand',
  'track.window': 'Angekündigtes Zeitfenster',
  'track.history': 'Verlauf',
  'track.history.when': 'Zeitpunkt',
  'track.history.what': 'Stand',
  'track.next': 'Was jetzt zu tun ist',
  'track.leave': 'Abmelden',
  'track.receipt': 'Beleg anzeigen',
  'track.pin.title': 'PIN-Brief angekommen?',
  'track.pin.text':
    'Ausweis und PIN-Brief werden nie zusammen verschickt. Bitte bestätigen Sie, dass Ihr PIN-Brief per Post angekommen ist; erst dann bringen wir den Ausweis.',
  'track.pin.button': 'Ja, der PIN-Brief ist angekommen',
  'track.pin.done': 'PIN-Brief bestätigt am {date}.',
  'track.cancel': 'Buchung stornieren',
  'track.cancel.title': 'Buchung stornieren?',
  'track.cancel.refund': 'Sie erhalten {amount} zurück.',
  'track.cancel.confirm': 'Ja, stornieren',
  'track.cancel.keep': 'Nein, Buchung behalten',
  'track.cancel.done': 'Ihre Buchung ist storniert.',
  'track.cancel.notPossible': 'Die Buchung kann nicht mehr storniert werden: das Dokument ist schon unterwegs.',

  'status.awaiting_payment': 'Wartet auf Zahlung',
  'status.paid': 'Bezahlt – das Dokument ist noch in Herstellung',
  'status.document_ready': 'Das Dokument ist im Bürgerbüro angekommen',
  'status.planned': 'Die Zustellung ist geplant',
  'status.handed_over': 'Das Dokument ist beim Kurier',
  'status.out_for_delivery': 'Der Kurier ist unterwegs zu Ihnen',
  'status.delivered': 'Zugestellt',
  'status.attempt_failed': 'Wir haben Sie nicht angetroffen – es gibt einen neuen Versuch',
  'status.returned_to_office': 'Das Dokument ist zurück im Bürgerbüro – bitte holen Sie es dort ab',
  'status.cancelled': 'Storniert',
  'status.expired': 'Abgelaufen: die Zahlung kam nicht rechtzeitig',

  'next.pay': 'Bitte bezahlen Sie {amount} bis {date}.',
  'next.wait_for_office': 'Das Bürgerbüro prüft die Zahlung und meldet sich bei Ihnen.',
  'next.confirm_pin_letter': 'Bestätigen Sie, dass Ihr PIN-Brief angekommen ist.',
  'next.wait_for_document': 'Sobald Ihr Dokument im Bürgerbüro ist, planen wir die Zustellung.',
  'next.wait_for_delivery': 'Wir nennen Ihnen bald Ihr Zeitfenster.',
  'next.wait_for_new_attempt': 'Wir planen einen neuen Zustellversuch (bisher {n}).',
  'next.collect_at_office': 'Bitte holen Sie Ihr Dokument im Bürgerbüro ab.',
  'next.be_at_home': 'Bitte seien Sie im angekündigten Zeitfenster zu Hause und halten Sie einen Lichtbildausweis bereit.',
  'next.none': 'Nichts weiter zu tun.',

  'receipt.title': 'Beleg',
  'receipt.print': 'Drucken',
  'receipt.office': 'Bürgerbüro',
  'receipt.document': 'Dokument',
  'receipt.status': 'Stand',

  'error.title': 'Das hat nicht geklappt',
  'error.back': 'Zurück zur Startseite',
  'error.notFound': 'Diese Seite gibt es nicht.',
  'error.form': 'Bitte korrigieren Sie die markierten Angaben.',
  'error.csrf': 'Das Formular ist abgelaufen. Bitte laden Sie die Seite neu und senden Sie es noch einmal.',
  'error.generic': 'Ein Fehler ist aufgetreten. Bitte versuchen Sie es später noch einmal.',
  'error.required': 'Bitte füllen Sie dieses Feld aus.',
  'error.postalCode': 'Bitte geben Sie eine fünfstellige Postleitzahl ein.',
  'error.tooLong': 'Höchstens {max} Zeichen.',
  'error.chooseArea': 'Bitte wählen Sie das Gebiet.',
  'error.chooseVehicle': 'Bitte wählen Sie, womit zugestellt wird.',
  'error.chooseDays': 'Bitte wählen Sie einen bis drei Tage.',
  'error.consent': 'Ohne Vollmacht darf der Kurier das Dokument nicht abholen.',
  'error.phone': 'Bitte geben Sie eine Telefonnummer an (Ziffern, Leerzeichen, +, -, /).',
  'error.email': 'Bitte geben Sie eine gültige E-Mail-Adresse an.',
  'error.applicationNumber': 'Bitte geben Sie die Antragsnummer an (Buchstaben und Ziffern).',
  // Placing the address: the geocoder, and the map pin where there is none (issue #10).
  'geo.hint': 'Das Liefergebiet und den Preis ermitteln wir aus der Adresse.',
  'geo.notFound': 'Diese Adresse haben wir nicht gefunden. Bitte prüfen Sie Straße, Hausnummer und Postleitzahl.',
  'geo.outside': 'Diese Adresse liegt außerhalb des Liefergebiets dieses Bürgerbüros.',
  'geo.unavailable':
    'Die Adresssuche ist gerade nicht erreichbar. Bitte wählen Sie das Gebiet oder setzen Sie eine Markierung auf der Karte.',
  'map.heading': 'Adresse auf der Karte markieren (freiwillig)',
  'map.help':
    'Klicken Sie auf die Karte, wo die Adresse liegt. Mit der Tastatur: die Karte mit den Pfeiltasten verschieben und mit der Eingabetaste die Markierung in der Kartenmitte setzen; die Markierung selbst bewegen die Pfeiltasten. Ohne Karte wählen Sie unten das Gebiet.',
  'map.label': 'Karte der Liefergebiete',
  'map.pin': 'Markierung der Lieferadresse',
  'map.pinSet': 'Markierung gesetzt bei {lat} Nord, {lng} Ost. Der Preis gilt für diese Stelle.',
  'map.pinRemoved': 'Markierung entfernt.',
  'map.clear': 'Markierung entfernen',
  'map.pinOutside': 'Die Markierung liegt außerhalb der Liefergebiete. Bitte setzen Sie sie neu oder wählen Sie ein Gebiet.',
} as const;

export type MessageKey = keyof typeof de;

const en: Record<MessageKey, string> = {
  'site.name': 'Amtsbote – ID documents delivered home',
  'site.tagline': 'Your new ID card or passport, brought by courier',
  'site.skip': 'Skip to content',
  'site.language': 'Deutsch',
  'site.sandbox': 'Test mode: payments go through the Stripe test environment; no real money moves.',
  'site.footer.kern': 'Designed with the KERN design system (EUPL-1.2).',
  'site.footer.privacy': 'We keep only what the delivery needs and delete it afterwards.',
  'nav.book': 'Book a delivery',
  'nav.track': 'Track a delivery',

  'start.title': 'Have your ID document delivered to your home',
  'start.intro':
    'Instead of coming back to the citizen office, have your ID card or passport brought by a courier. The courier checks your identity at the door.',
  'start.chooseOffice': 'Choose your citizen office',
  'start.bookAt': 'Book a delivery from {office}',
  'start.trackHint': 'Already booked?',
  'start.noOffices': 'No citizen office offers delivery at the moment.',

  'book.step': 'Step {n} of 3',
  'book.address.title': 'Where should the document be brought?',
  'book.address.legend': 'Delivery address',
  'book.street': 'Street',
  'book.houseNumber': 'House number',
  'book.addressLine2': 'Address line 2 (optional)',
  'book.postalCode': 'Postal code',
  'book.postalCode.hint': 'Five digits, for example 70173',
  'book.city': 'City',
  'book.area.legend': 'Which area is the address in?',
  'book.area.hint': 'This lets us calculate the price. The courier finds you by your address.',
  'book.continue': 'Continue',
  'book.back': 'Back',
  'book.details.title': 'Price, date and details',
  'book.vehicle.legend': 'Delivered by',
  'book.vehicle.bike': 'Bicycle courier',
  'book.vehicle.ecar': 'Electric car',
  'book.vehicle.price': '{price}',
  'book.days.legend': 'On which days are you at home?',
  'book.days.hint': 'Choose up to three days. We will tell you a one-hour window later.',
  'book.days.span': '{day}, {from}–{to}',
  'book.person.legend': 'Who receives the document?',
  'book.name': 'First and last name (as in the document)',
  'book.phone': 'Phone number',
  'book.phone.hint': 'For the courier, in case you are not at home',
  'book.email': 'E-mail address (optional)',
  'book.email.hint': 'For the booking confirmation and the delivery window',
  'book.document.legend': 'Your application',
  'book.documentType': 'Document',
  'book.documentType.id_card': 'ID card',
  'book.documentType.eid_card': 'eID card',
  'book.documentType.passport': 'Passport',
  'book.documentType.child_passport': "Child's passport",
  'book.applicationNumber': 'Application number',
  'book.applicationNumber.hint': "It is on the citizen office's confirmation of your application",
  'book.consent.legend': 'Power of attorney for the courier',
  'book.consent.text':
    'I authorise the courier service commissioned by the citizen office to collect my ID document from the office and hand it to me in person. The courier checks my identity at the door; the document is handed to me only.',
  'book.consent.agree': 'I grant this power of attorney.',
  'book.pay': 'Book and pay',
  'book.total': 'Price: {price}',

  'pay.title': 'Payment',
  'pay.intro': "Your booking is recorded. Please pay the surcharge on Stripe's payment page.",
  'pay.kassenzeichen': 'Payment reference (Kassenzeichen)',
  'pay.amount': 'Amount',
  'pay.trackingCode': 'Your tracking code',
  'pay.trackingCode.hint': 'Please note the code: you track the delivery with it. We show it only once.',
  'pay.button': 'Pay now',
  'pay.waiting': 'We are waiting for Stripe to confirm the payment. With JavaScript, this page refreshes by itself.',
  'pay.refresh': 'Check now',
  'pay.paid': 'Payment received. Thank you!',
  'pay.toTracking': 'Go to tracking',

  'track.title': 'Track a delivery',
  'track.enter': 'Enter your tracking code',
  'track.code': 'Tracking code',
  'track.code.hint': "It is in your confirmation and on the citizen office's receipt",
  'track.show': 'Show',
  'track.notFound': 'We find no booking for this code. Please check it.',
  'track.status': 'Status',
  'track.window': 'Announced window',
  'track.history': 'History',
  'track.history.when': 'When',
  'track.history.what': 'Status',
  'track.next': 'What to do now',
  'track.leave': 'Sign out',
  'track.receipt': 'Show receipt',
  'track.pin.title': 'Has the PIN letter arrived?',
  'track.pin.text':
    'The ID card and its PIN letter never travel together. Please confirm that your PIN letter arrived by post; only then do we bring the card.',
  'track.pin.button': 'Yes, the PIN letter has arrived',
  'track.pin.done': 'PIN letter confirmed on {date}.',
  'track.cancel': 'Cancel booking',
  'track.cancel.title': 'Cancel the booking?',
  'track.cancel.refund': 'You get {amount} back.',
  'track.cancel.confirm': 'Yes, cancel',
  'track.cancel.keep': 'No, keep the booking',
  'track.cancel.done': 'Your booking is cancelled.',
  'track.cancel.notPossible': 'The booking can no longer be cancelled: the document is on its way.',

  'status.awaiting_payment': 'Waiting for payment',
  'status.paid': 'Paid – the document is still being made',
  'status.document_ready': 'The document has arrived at the citizen office',
  'status.planned': 'The delivery is planned',
  'status.handed_over': 'The courier has the document',
  'status.out_for_delivery': 'The courier is on the way to you',
  'status.delivered': 'Delivered',
  'status.attempt_failed': 'We did not find you at home – there will be another attempt',
  'status.returned_to_office': 'The document is back at the citizen office – please collect it there',
  'status.cancelled': 'Cancelled',
  'status.expired': 'Expired: the payment did not arrive in time',

  'next.pay': 'Please pay {amount} by {date}.',
  'next.wait_for_office': 'The citizen office is checking the payment and will contact you.',
  'next.confirm_pin_letter': 'Confirm that your PIN letter has arrived.',
  'next.wait_for_document': 'As soon as your document is at the citizen office, we plan the delivery.',
  'next.wait_for_delivery': 'We will tell you your window soon.',
  'next.wait_for_new_attempt': 'We are planning another delivery attempt (so far {n}).',
  'next.collect_at_office': 'Please collect your document at the citizen office.',
  'next.be_at_home': 'Please be at home in the announced window with a photo ID.',
  'next.none': 'Nothing more to do.',

  'receipt.title': 'Receipt',
  'receipt.print': 'Print',
  'receipt.office': 'Citizen office',
  'receipt.document': 'Document',
  'receipt.status': 'Status',

  'error.title': 'That did not work',
  'error.back': 'Back to the start page',
  'error.notFound': 'This page does not exist.',
  'error.form': 'Please correct the marked entries.',
  'error.csrf': 'The form has expired. Please reload the page and send it again.',
  'error.generic': 'Something went wrong. Please try again later.',
  'error.required': 'Please fill in this field.',
  'error.postalCode': 'Please enter a five-digit postal code.',
  'error.tooLong': 'At most {max} characters.',
  'error.chooseArea': 'Please choose the area.',
  'error.chooseVehicle': 'Please choose how it is delivered.',
  'error.chooseDays': 'Please choose one to three days.',
  'error.consent': 'Without the power of attorney the courier may not collect the document.',
  'error.phone': 'Please enter a phone number (digits, spaces, +, -, /).',
  'error.email': 'Please enter a valid e-mail address.',
  'error.applicationNumber': 'Please enter the application number (letters and digits).',
  // Placing the address: the geocoder, and the map pin where there is none (issue #10).
  'geo.hint': 'We work out the delivery area and the price from the address.',
  'geo.notFound': 'We could not find this address. Please check the street, house number and postal code.',
  'geo.outside': 'This address is outside the delivery area of this citizen office.',
  'geo.unavailable': 'The address search cannot be reached at the moment. Please choose the area or set a pin on the map.',
  'map.heading': 'Mark the address on the map (optional)',
  'map.help':
    'Click on the map where the address is. With the keyboard: move the map with the arrow keys and press Enter to set the pin at the centre of the map; the arrow keys move the pin itself. Without the map, choose the area below.',
  'map.label': 'Map of the delivery areas',
  'map.pin': 'Pin of the delivery address',
  'map.pinSet': 'Pin set at {lat} north, {lng} east. The price is for this spot.',
  'map.pinRemoved': 'Pin removed.',
  'map.clear': 'Remove the pin',
  'map.pinOutside': 'The pin is outside the delivery areas. Please set it again or choose an area.',
};

export const LOCALES = ['de', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
const CATALOGUES: Record<Locale, Record<MessageKey, string>> = { de, en };

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function translator(locale: Locale): Translate {
  const catalogue = CATALOGUES[locale];
  return (key, params) => catalogue[key].replace(/\{(\w+)\}/g, (_, name: string) => String(params?.[name] ?? `{${name}}`));
}

export const isLocale = (v: unknown): v is Locale => typeof v === 'string' && (LOCALES as readonly string[]).includes(v);

/** A chosen language (cookie) wins; else the browser's first preference we have; else German. */
export function pickLocale(cookie: string | undefined, acceptLanguage: string | undefined): Locale {
  if (isLocale(cookie)) return cookie;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const tag = part.split(';')[0]?.trim().slice(0, 2).toLowerCase();
    if (isLocale(tag)) return tag;
  }
  return 'de';
}

/** Amounts and dates as the locale writes them, in the office's time zone. */
export function formatters(locale: Locale, timeZone: string) {
  const tag = locale === 'de' ? 'de-DE' : 'en-GB';
  const money = new Intl.NumberFormat(tag, { style: 'currency', currency: 'EUR' });
  const dateTime = new Intl.DateTimeFormat(tag, { timeZone, dateStyle: 'medium', timeStyle: 'short' });
  const day = new Intl.DateTimeFormat(tag, { timeZone, weekday: 'long', day: 'numeric', month: 'long' });
  const time = new Intl.DateTimeFormat(tag, { timeZone, hour: '2-digit', minute: '2-digit' });
  return {
    money: (cents: number) => money.format(cents / 100),
    dateTime: (d: Date | string) => dateTime.format(new Date(d)),
    day: (d: Date | string) => day.format(new Date(d)),
    time: (d: Date | string) => time.format(new Date(d)),
  };
}
