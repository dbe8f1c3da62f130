import type { Clock } from './ports.js';

/** The real clock, for the bootstrap to pass in. */
export const systemClock: Clock = { now: () => new Date() };
