/**
 * The texts of one console, German first; English must have exactly the German keys. Merged into
 * the one catalogue in ../i18n.ts, so templates use them like any other key.
 */
export const de = {
  'counter.book': 'Zustellung für einen Bürger buchen',
  'counter.booked': 'Gebucht. Bitte den Beleg ausdrucken und mitgeben.',
  'counter.payBy': 'Bitte bezahlen bis',
  'counter.howToPay':
    'Zum Bezahlen den QR-Code mit dem Telefon scannen: die Sendungsseite führt zur Kartenzahlung. Ohne Zahlung bis zur Frist verfällt die Buchung.',
  'counter.another': 'Nächste Buchung',
  'clerk.scan.title': 'Dokumenteneingang',
  'clerk.scan.intro': 'Scannen Sie die Antragsnummer des eingetroffenen Dokuments. Der Scanner schließt mit der Eingabetaste ab.',
  'clerk.scan.code': 'Antragsnummer',
  'clerk.scan.submit': 'Eingang erfassen',
  'clerk.scan.noOffice': 'Ihr Zugang ist keinem Bürgerbüro zugeordnet; Eingänge kann nur erfassen, wer zu einem Büro gehört.',
  'clerk.scan.list': 'Ihre letzten Scans',
  'clerk.scan.none': 'Noch nichts gescannt.',
  'clerk.scan.outcome.ready': 'Erfasst: {code} ist bereit zur Zustellung.',
  'clerk.scan.outcome.already': 'Schon erfasst: {code} wurde bereits gescannt.',
  'clerk.scan.outcome.unknown': 'Unbekannt: Zu {code} gibt es in diesem Büro keine Zustellbuchung.',
  'clerk.scan.outcome.notPaid': 'Nicht bezahlt: Der Zuschlag für {code} ist noch offen. Dokument zur Abholung aufbewahren.',
  'clerk.scan.outcome.wrongStatus': 'Nicht möglich: Die Buchung zu {code} ist in einem Stand, in dem kein Eingang erfasst wird.',
  'clerk.scan.outcome.invalid': 'Ungültig: „{code}“ ist keine Antragsnummer (4–32 Buchstaben, Ziffern, Bindestriche).',
} as const;

export const en: Record<keyof typeof de, string> = {
  'counter.book': 'Book a delivery for a citizen',
  'counter.booked': 'Booked. Please print the receipt and hand it over.',
  'counter.payBy': 'Please pay by',
  'counter.howToPay':
    'To pay, scan the QR code with a phone: the tracking page leads to the card payment. Unpaid by the deadline, the booking lapses.',
  'counter.another': 'Next booking',
  'clerk.scan.title': 'Document arrival',
  'clerk.scan.intro': 'Scan the application number of the arrived document. The scanner finishes with Enter.',
  'clerk.scan.code': 'Application number',
  'clerk.scan.submit': 'Record arrival',
  'clerk.scan.noOffice': 'Your account belongs to no citizen office; only staff of an office can record arrivals.',
  'clerk.scan.list': 'Your latest scans',
  'clerk.scan.none': 'Nothing scanned yet.',
  'clerk.scan.outcome.ready': 'Recorded: {code} is ready for delivery.',
  'clerk.scan.outcome.already': 'Already recorded: {code} was scanned before.',
  'clerk.scan.outcome.unknown': 'Unknown: this office has no delivery booking for {code}.',
  'clerk.scan.outcome.notPaid': 'Not paid: the surcharge for {code} is still open. Keep the document for pickup.',
  'clerk.scan.outcome.wrongStatus': 'Not possible: the booking for {code} is in a state where no arrival is recorded.',
  'clerk.scan.outcome.invalid': 'Invalid: “{code}” is not an application number (4–32 letters, digits, hyphens).',
};
