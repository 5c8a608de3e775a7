/** "2024-05-01 06:00 UTC" (the server renders in UTC, so the HTML does not depend on where it runs); "—" for never. */
export function adminDate(ms: number | null): string {
  return ms === null ? '—' : new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}
