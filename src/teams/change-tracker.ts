import { hash } from 'node:crypto';

/**
 * Remembers a digest of the last value seen per key (bounded, oldest forgotten first) and says whether a
 * new value differs, so repeated identical writes can be skipped. A digest, not the value: a few dozen bytes a
 * key, however large the value, so a tenant's worth of keys stays small.
 */
export class ChangeTracker {
  private readonly last = new Map<string, string>();

  constructor(private readonly capacity: number) {}

  /** True when `value` differs from the last one recorded for `key`; records it either way. */
  changed(key: string, value: unknown): boolean {
    const digest = hash('sha256', JSON.stringify(value), 'base64');
    const previous = this.last.get(key);
    // Re-inserting moves the key to the end, so the Map's order is least recently seen first.
    this.last.delete(key);
    this.last.set(key, digest);
    if (this.last.size > this.capacity) this.last.delete(this.last.keys().next().value!);
    return previous !== digest;
  }
}
