/** Numbers in reasons AEs read: "12,400", "2.5". Fixed locale, so reasons do not change with the server's. */
const FORMAT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

export function formatNumber(n: number): string {
  return FORMAT.format(n);
}

/** "1 active user" / "3 active users". */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatNumber(n)} ${n === 1 ? singular : pluralForm}`;
}
