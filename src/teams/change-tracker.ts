/**
 * Remembers the last value seen per key (bounded, oldest forgotten first) and says whether a
 * new value differs, so repeated identical writes can be skipped.
 */
export class ChangeTracker {
  private readonly last = new Map<string, string>();

  constructor(private readonly capacity: number) {}

  /** True when `value` differs from the last one recorded for `key`; records it either way. */
  changed(key: string, value: unknown): boolean {
    const serialized = JSON.stringify(value);
    const previous = this.last.get(key);
    // Re-inserting moves the key to the end, so the Map's order is least recently seen first.
    this.last.delete(key);
    this.last.set(key, serialized);
    if (this.last.size > this.capacity) this.last.delete(this.last.keys().next().value!);
    return previous !== serialized;
  }
}
