/**
 * Finds known secrets in log output, looking through the encodings a logger may use for bytes: Buffers as JSON
 * ({"type":"Buffer","data":[…]}), base64 and hex strings, as well as the plain text of each line.
 */

/** Every string a log line holds, plus what its base64, hex and Buffer-as-JSON parts decode to. */
export function decodedStrings(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') {
    into.push(value);
    for (const part of value.split(/[^A-Za-z0-9+/=_-]+/)) {
      if (part.length >= 12 && /^[A-Za-z0-9+/_-]+=*$/.test(part)) {
        into.push(Buffer.from(part, 'base64').toString('latin1'));
      }
      if (part.length >= 12 && /^(?:[0-9a-f]{2})+$/i.test(part)) {
        into.push(Buffer.from(part, 'hex').toString('latin1'));
      }
    }
  } else if (Array.isArray(value)) {
    if (value.length > 0 && value.every((item) => typeof item === 'number')) {
      into.push(Buffer.from(value).toString('latin1'));
    }
    for (const item of value) decodedStrings(item, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      into.push(key);
      decodedStrings(item, into);
    }
  }
  return into;
}

/** "secret in line" for every known secret found in a line, decoded every way decodedStrings knows. */
export function secretsInLog(lines: readonly string[], secrets: readonly string[]): string[] {
  const leaks: string[] = [];
  for (const line of lines) {
    let parsed: unknown = line;
    try {
      parsed = JSON.parse(line);
    } catch {
      // not JSON: the line itself is checked
    }
    const texts = [line, ...decodedStrings(parsed)];
    for (const secret of secrets) {
      if (texts.some((text) => text.includes(secret))) leaks.push(`${secret} in ${line.slice(0, 300)}`);
    }
  }
  return leaks;
}
