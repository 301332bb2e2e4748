import type { FieldErrors } from './booking-form.ts';

/**
 * The reschedule form: the ticked spans, each `start|end` of a span the page offered (the
 * service checks them again against the office's calendar). Pure.
 */
const WINDOW = /^(\d{4}-\d{2}-\d{2}T[\d:.]+Z)\|(\d{4}-\d{2}-\d{2}T[\d:.]+Z)$/;

/** As many as the service takes (1–5). */
export const MAX_RESCHEDULE_WINDOWS = 5;

export function readRescheduleForm(body: Record<string, unknown>): { windows: { start: string; end: string }[]; errors: FieldErrors } {
  const raw = body.window;
  const values = Array.isArray(raw) ? raw.filter((x): x is string => typeof x === 'string') : typeof raw === 'string' ? [raw] : [];
  const windows = values
    .slice(0, 20)
    .map((w) => WINDOW.exec(w))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ start: m[1] ?? '', end: m[2] ?? '' }));
  const errors: FieldErrors =
    windows.length < 1 || windows.length > MAX_RESCHEDULE_WINDOWS || values.length > MAX_RESCHEDULE_WINDOWS
      ? { window: { key: 'reschedule.error.chooseDays' } }
      : {};
  return { windows, errors };
}

/** The same instant however it is spelled. */
const iso = (t: string) => {
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? t : new Date(ms).toISOString();
};

/**
 * The choices of the page: every span of every open day, and a window chosen earlier that lies
 * inside a span without being one (booked through the API) as a choice of its own on its day,
 * so it can stay ticked. `checked` marks the choice the booking has, or the one just sent.
 */
export function rescheduleChoices(
  days: readonly { date: string; windows: readonly { start: string; end: string }[]; closed: unknown }[],
  chosen: readonly { start: string; end: string }[],
) {
  const chosenKeys = new Set(chosen.map((w) => `${iso(w.start)}|${iso(w.end)}`));
  return days
    .filter((d) => !d.closed && d.windows.length > 0)
    .map((d) => {
      const spans = d.windows.map((w) => ({ start: iso(w.start), end: iso(w.end) }));
      const inside = chosen
        .map((w) => ({ start: iso(w.start), end: iso(w.end) }))
        .filter(
          (w) => spans.some((s) => s.start <= w.start && w.end <= s.end) && !spans.some((s) => s.start === w.start && s.end === w.end),
        );
      const options = [...spans, ...inside]
        .filter((w, i, all) => all.findIndex((o) => o.start === w.start && o.end === w.end) === i)
        .sort((a, b) => a.start.localeCompare(b.start) || a.end.localeCompare(b.end))
        .map((w) => ({ ...w, value: `${w.start}|${w.end}`, checked: chosenKeys.has(`${w.start}|${w.end}`) }));
      return { date: d.date, options };
    });
}
