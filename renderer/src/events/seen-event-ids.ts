/**
 * Remembers the ids of the most recent events applied, so one delivered twice (a replay that
 * overlaps live delivery, a desktop bridge that forwards again after a reload) is applied once.
 * Bounded: ids are per-user and increasing, so anything older than the window is also older
 * than everything this page has applied, and is dropped by the watermark.
 */
export class SeenEventIds {
  private readonly ids = new Set<number>();
  private floor = 0;

  constructor(private readonly capacity = 2_000) {}

  /** True the first time an id is offered, false ever after. */
  firstTime(id: number): boolean {
    if (id <= this.floor || this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = Math.min(...this.ids);
      this.ids.delete(oldest);
      this.floor = Math.max(this.floor, oldest);
    }
    return true;
  }

  /** After a resync the server's position is authoritative, even below ids seen before. */
  clear(): void {
    this.ids.clear();
    this.floor = 0;
  }
}
