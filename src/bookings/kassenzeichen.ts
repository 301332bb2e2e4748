/**
 * Kassenzeichen: `<office prefix>-<year>-<sequence><check digit>`. The check digit (Luhn over the
 * digits) lets finance staff catch a mistyped reference before it reaches the accounting system.
 */
export function formatKassenzeichen(prefix: string, year: number, sequence: number): string {
  const body = `${year}${String(sequence).padStart(7, '0')}`;
  return `${prefix}-${year}-${String(sequence).padStart(7, '0')}${luhnDigit(body)}`;
}

export function luhnDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export function isValidKassenzeichen(value: string): boolean {
  const m = /^[A-Z0-9-]{1,16}-(\d{4})-(\d{7,})(\d)$/.exec(value);
  if (!m) return false;
  return luhnDigit(`${m[1]}${m[2]}`) === Number(m[3]);
}
