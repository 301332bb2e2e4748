import type { Booking } from './bookings.table.ts';

/**
 * ID cards and eID cards come with the online function, whose PIN letter travels separately by
 * post. The document is dispatched only once the citizen says the letter arrived (§ 13 PAuswG),
 * so that letter and card never travel together or go missing together.
 */
export const PIN_LETTER_DOCUMENT_TYPES: readonly Booking['documentType'][] = ['id_card', 'eid_card'];

export const needsPinLetter = (documentType: Booking['documentType']) => PIN_LETTER_DOCUMENT_TYPES.includes(documentType);

/** The booking may not be planned or handed over yet: its PIN letter is not confirmed. */
export const awaitsPinLetter = (b: Pick<Booking, 'documentType' | 'pinLetterConfirmedAt'>) =>
  needsPinLetter(b.documentType) && b.pinLetterConfirmedAt === null;
