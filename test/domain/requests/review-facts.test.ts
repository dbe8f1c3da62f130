import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SimulatedDirectory } from '../../../src/directory/simulated-directory.js';
import { POSSIBLE_COMPROMISE_OUTCOME } from '../../../src/domain/diagnosis/possible-compromise.js';
import type { DiagnosisRecord, Directory } from '../../../src/domain/ports.js';
import { emptyReview, type ResetRequest } from '../../../src/domain/requests/request.js';
import { ReviewFactsReader } from '../../../src/domain/requests/review-facts.js';
import { tenant } from '../../support/activities.js';
import { MovableClock, createInMemoryStore } from '../../support/in-memory-ports.js';

const TENANT = tenant.tenant.id;
const person = (alias: string) => tenant.users.find((user) => user.userPrincipalName.split('@')[0] === alias)!;
const alex = person('alexw');
const megan = person('meganb');

/** A diagnosis of `userId` in the demo tenant that showed `outcome`, having passed through `passed` first. */
function diagnosis(userId: string, outcome: string, passed: string[] = [], tenantId = TENANT): DiagnosisRecord {
  const at = new Date('2026-11-24T08:50:00Z');
  return {
    id: randomUUID(),
    tenantId,
    userId,
    locale: 'en',
    entry: 'menu',
    startedAt: at,
    updatedAt: at,
    path: [...passed.map((node) => ({ node, via: 'notFixed' as const })), { node: outcome, via: 'notFixed' }],
    outcome,
    result: 'applied',
    questionsAsked: 1,
    evidenceGaps: [],
  };
}

/** A request of Alex's, filed by `filerId`, applied for from `diagnosisId`. */
function requestFrom(diagnosisId: string | undefined, filerId = alex.id): ResetRequest {
  const at = new Date('2026-11-24T09:00:00Z');
  return {
    id: randomUUID(),
    reference: 'SIH-000001',
    tenantId: TENANT,
    filerId,
    application: {
      subjectId: alex.id,
      reason: 'lostPhone',
      lostMethodIds: [],
      verification: 'videoCall',
      contact: '+65 8123 0000',
      note: '',
      diagnosisId,
    },
    state: 'pending_review',
    version: 2,
    review: emptyReview(),
    createdAt: at,
    updatedAt: at,
    pendingSince: at,
  };
}

/** A facts reader over the demo directory and these diagnoses; `finds` counts the diagnosis reads. */
function readerWith(records: DiagnosisRecord[], options: { failing?: boolean; directory?: Directory } = {}) {
  const clock = new MovableClock('2026-11-24T09:05:00Z');
  const byId = new Map(records.map((record) => [record.id, record]));
  const finds: string[] = [];
  const reader = new ReviewFactsReader({
    directory: options.directory ?? new SimulatedDirectory(tenant, clock),
    repository: createInMemoryStore().requests,
    diagnoses: {
      find: async (id) => {
        finds.push(id);
        if (options.failing) throw new Error('database is locked');
        return byId.get(id);
      },
    },
    clock,
    helpdeskGroupId: undefined,
    privilegedApproval: 'twoApprovers',
  });
  return { reader, finds };
}

describe('review facts: a diagnosis that reached the possible-compromise outcome', () => {
  it('flags a request applied for from the subject’s diagnosis that showed it, last or on the way', async () => {
    const last = diagnosis(alex.id, POSSIBLE_COMPROMISE_OUTCOME);
    const passed = diagnosis(alex.id, 'reset-needed', [POSSIBLE_COMPROMISE_OUTCOME]);
    const { reader, finds } = readerWith([last, passed]);
    expect((await reader.read(requestFrom(last.id))).possibleCompromise).toBe(true);
    expect((await reader.read(requestFrom(passed.id))).possibleCompromise).toBe(true);
    expect(finds).toEqual([last.id, passed.id]);
  });

  it('does not flag one without a diagnosis, from one that ended elsewhere, or from an unknown id', async () => {
    const elsewhere = diagnosis(alex.id, 'reset-needed', ['sign-in-another-way']);
    const { reader, finds } = readerWith([elsewhere]);
    expect((await reader.read(requestFrom(undefined))).possibleCompromise).toBe(false);
    expect(finds).toEqual([]);
    expect((await reader.read(requestFrom(elsewhere.id))).possibleCompromise).toBe(false);
    expect((await reader.read(requestFrom(randomUUID()))).possibleCompromise).toBe(false);
  });

  it('ignores a diagnosis of another person or another tenant: its id came in card data', async () => {
    const megans = diagnosis(megan.id, POSSIBLE_COMPROMISE_OUTCOME);
    const elsewhere = diagnosis(alex.id, POSSIBLE_COMPROMISE_OUTCOME, [], 'another-tenant');
    const { reader } = readerWith([megans, elsewhere]);
    // Megan filing for Alex with her own diagnosis says nothing about Alex's account.
    expect((await reader.read(requestFrom(megans.id, megan.id))).possibleCompromise).toBe(false);
    expect((await reader.read(requestFrom(elsewhere.id))).possibleCompromise).toBe(false);
  });

  it('leaves the flag off, and the rest of the facts in place, when the store cannot be read', async () => {
    const record = diagnosis(alex.id, POSSIBLE_COMPROMISE_OUTCOME);
    const { reader } = readerWith([record], { failing: true });
    const facts = await reader.read(requestFrom(record.id));
    expect(facts.possibleCompromise).toBe(false);
    expect(facts.subject?.displayName).toBe(alex.displayName);
  });

  it('reads the diagnosis in the same round as the directory, not after it', async () => {
    const record = diagnosis(alex.id, POSSIBLE_COMPROMISE_OUTCOME);
    let answered = 0;
    const inner = new SimulatedDirectory(tenant, new MovableClock());
    // Counts directory calls that have answered by the time the diagnosis is asked for.
    const directory = new Proxy(inner, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const result = value.apply(target, args);
          return result instanceof Promise ? result.finally(() => (answered += 1)) : result;
        };
      },
    });
    let answeredBeforeRead: number | undefined;
    const clock = new MovableClock();
    const reader = new ReviewFactsReader({
      directory,
      repository: createInMemoryStore().requests,
      diagnoses: {
        find: async () => {
          answeredBeforeRead = answered;
          return record;
        },
      },
      clock,
      helpdeskGroupId: undefined,
      privilegedApproval: 'twoApprovers',
    });
    expect((await reader.read(requestFrom(record.id))).possibleCompromise).toBe(true);
    expect(answeredBeforeRead).toBe(0);
    expect(answered).toBeGreaterThan(0);
  });
});
