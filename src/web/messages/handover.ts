/**
 * The texts of one console, German first; English must have exactly the German keys. Merged into
 * the one catalogue in ../i18n.ts, so templates use them like any other key.
 */
export const de = {} as const;

export const en: Record<keyof typeof de, string> = {};
