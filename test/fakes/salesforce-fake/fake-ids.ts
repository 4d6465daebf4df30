/**
 * Salesforce record ids: a 3-character key prefix naming the object, 12 more characters, and the 3-character
 * case-safe suffix Salesforce computes from where the upper-case letters are (so the fake's 18-character ids
 * are ones a real org could have issued, and a 15-character id names the same record).
 */
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

export function caseSafeSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk += 1) {
    let flags = 0;
    for (let i = 0; i < 5; i += 1) {
      const ch = id15.charAt(chunk * 5 + i);
      if (ch >= 'A' && ch <= 'Z') flags |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET.charAt(flags);
  }
  return suffix;
}

export function recordId(keyPrefix: string, serial: number): string {
  const id15 = `${keyPrefix}5g${String(serial).padStart(10, '0')}`;
  return `${id15}${caseSafeSuffix(id15)}`;
}

export function isIdShaped(value: string): boolean {
  return /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/.test(value);
}

/** The 15-character form two spellings of one id share. */
export function id15(value: string): string {
  return value.slice(0, 15);
}
