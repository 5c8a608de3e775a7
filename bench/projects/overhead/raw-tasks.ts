/** The no-op task as a plain async function, for the bare Temporal SDK worker. */
export async function noop(i: number): Promise<number> {
  return i;
}
