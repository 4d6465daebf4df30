/**
 * The next midnight in an IANA time zone, as epoch ms: when a CRM whose daily limit counts per calendar day in
 * the account's zone (HubSpot) gives the count back. Computed with Intl, so daylight-saving days come out
 * right without a time-zone library.
 */

/** undefined when the runtime does not know the zone. */
export function nextMidnightIn(timeZone: string, now: number): number | undefined {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    return undefined;
  }
  const wall = (at: number): number => {
    const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, Number(p.value)]));
    return Date.UTC(parts.year!, parts.month! - 1, parts.day, parts.hour, parts.minute, parts.second);
  };
  // Whole seconds: the formatted wall time has no milliseconds.
  const second = now - (((now % 1000) + 1000) % 1000);
  const today = new Date(wall(second));
  const midnightWall = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + 1);
  // Wall time minus the zone's offset; the offset is read at the guess itself, twice, for DST changes.
  let guess = midnightWall - (wall(second) - second);
  for (let i = 0; i < 2; i += 1) guess = midnightWall - (wall(guess) - guess);
  return guess;
}
