import { describe, expect, it } from 'vitest';
import { ChangeTracker } from '../../src/teams/change-tracker.js';

describe('the change tracker that spares repeated address writes', () => {
  it('says a value changed the first time, not when it comes again, and again when it differs', () => {
    const tracker = new ChangeTracker(10);
    const address = { key: 'user:a', locale: 'en-US', reference: { serviceUrl: 'https://smba.example/' } };
    expect(tracker.changed('user:a', address)).toBe(true);
    expect(tracker.changed('user:a', { ...address })).toBe(false);
    expect(tracker.changed('user:a', { ...address, locale: 'ja-JP' })).toBe(true);
    expect(tracker.changed('user:a', { ...address, locale: 'ja-JP' })).toBe(false);
  });

  it('forgets the least recently seen key beyond its capacity, which then counts as changed', () => {
    const tracker = new ChangeTracker(2);
    tracker.changed('a', 1);
    tracker.changed('b', 1);
    // Seeing "a" again makes "b" the least recently seen.
    expect(tracker.changed('a', 1)).toBe(false);
    tracker.changed('c', 1);
    expect(tracker.changed('a', 1)).toBe(false);
    expect(tracker.changed('b', 1)).toBe(true);
  });
});
