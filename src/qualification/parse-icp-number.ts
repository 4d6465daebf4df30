/**
 * Reads the numbers ICP values are written in. CRM company fields are strings, and company size in particular
 * is often a picklist band ("51-200", "10,001+") rather than a count. Accepted, whole value only:
 *
 *   1200 · 1,200 · 1_200 · 12.5 · 2.5k · $5M · 1.2bn      one number (k, m, b/bn suffixes; $ € £ ignored)
 *   200-500 · 200–500 · 200 to 500                                  a band, both ends inclusive
 *   10,001+                                                         a band without an upper end
 *
 * "," is only a thousands separator (it must be followed by exactly three digits), so "1,5" is not read as
 * anything rather than silently as 15. Anything else is not a number: the criterion then does not hold and
 * its reason shows the value, so RevOps can see what the field holds.
 */

/** A value as a band: `low === high` for a plain number; `high` is Infinity for "N+". */
export interface NumberBand {
  low: number;
  high: number;
}

const NUMBER = String.raw`[$€£]?\s*(\d{1,3}(?:[,_]\d{3})+|\d+)(?:\.(\d+))?\s*(k|m|mm|b|bn)?`;
const SINGLE = new RegExp(String.raw`^${NUMBER}$`, 'i');
const BAND = new RegExp(String.raw`^${NUMBER}\s*(?:-|–|—|to)\s*${NUMBER}$`, 'i');
const OPEN_BAND = new RegExp(String.raw`^${NUMBER}\s*\+$`, 'i');

const SUFFIX: Readonly<Record<string, number>> = { k: 1e3, m: 1e6, mm: 1e6, b: 1e9, bn: 1e9 };

export function parseIcpNumber(value: string | number | boolean): NumberBand | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? { low: value, high: value } : undefined;
  if (typeof value === 'boolean') return undefined;
  const text = value.trim();

  const single = SINGLE.exec(text);
  if (single) {
    const n = toNumber(single[1], single[2], single[3]);
    return { low: n, high: n };
  }
  const open = OPEN_BAND.exec(text);
  if (open) return { low: toNumber(open[1], open[2], open[3]), high: Infinity };
  const band = BAND.exec(text);
  if (band) {
    const a = toNumber(band[1], band[2], band[3]);
    const b = toNumber(band[4], band[5], band[6]);
    return { low: Math.min(a, b), high: Math.max(a, b) };
  }
  return undefined;
}

function toNumber(
  whole: string | undefined,
  fraction: string | undefined,
  suffix: string | undefined,
): number {
  const digits = (whole ?? '0').replace(/[,_]/g, '');
  const n = Number(fraction === undefined ? digits : `${digits}.${fraction}`);
  return n * (suffix === undefined ? 1 : (SUFFIX[suffix.toLowerCase()] ?? 1));
}
