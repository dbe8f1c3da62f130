import { verifyCardShapes } from '../../src/cards/render-card.js';

/*
 * A setup file: every card a test draws in this process is compared with the card expanded from its own data, so a
 * template whose expressions a cached shape would not expand faithfully fails the tests that draw it.
 */
verifyCardShapes(true);
