import { describe, expect, it } from 'vitest';
import { DiagnosisService } from '../../../src/domain/diagnosis/diagnosis-service.js';
import { DiagnosisEngine } from '../../../src/domain/diagnosis/engine.js';
import type {
  AuthMethod,
  DiagnosisRecord,
  DiagnosisRepository,
  Directory,
  DirectoryUser,
  SignInRecord,
} from '../../../src/domain/ports.js';
import { guardedResetKnowledge, sampleKnowledge } from './sample-knowledge.js';

const NOW = new Date('2026-11-24T09:00:00Z');
const subject = { tenantId: 't1', userId: 'u1', locale: 'en' };

const user: DirectoryUser = {
  id: 'u1',
  displayName: 'Alex Wilber',
  givenName: 'Alex',
  surname: 'Wilber',
  userPrincipalName: 'alexw@contoso.example',
  mail: 'alexw@contoso.example',
  department: 'Finance',
  jobTitle: 'Analyst',
  preferredLanguage: 'en-US',
  accountEnabled: true,
  managerId: undefined,
  externalUserState: undefined,
  externalUserStateChangedAt: undefined,
};
const authenticator: AuthMethod = {
  id: 'm1',
  kind: 'microsoftAuthenticator',
  displayName: 'iPhone 15',
  phoneNumber: undefined,
  phoneType: undefined,
  emailAddress: undefined,
  isDefault: true,
  isUsable: undefined,
};
const phone: AuthMethod = {
  ...authenticator,
  id: 'p1',
  kind: 'phone',
  displayName: undefined,
  phoneNumber: '+65 9123 4567',
  phoneType: 'mobile',
  isDefault: false,
};

class MemoryRepository implements DiagnosisRepository {
  readonly records = new Map<string, DiagnosisRecord>();
  async save(record: DiagnosisRecord) {
    this.records.set(record.id, structuredClone(record));
  }
  async find(id: string) {
    return this.records.get(id);
  }
  async findByIdPrefix(tenantId: string, prefix: string, limit: number) {
    return [...this.records.values()]
      .filter((record) => record.tenantId === tenantId && record.id.startsWith(prefix))
      .slice(0, limit);
  }
}

/** A directory that answers like the simulated one, or fails the way Graph can. */
function directory(
  behaviour: { methods?: AuthMethod[]; signIns?: SignInRecord[]; fail?: 'error' | 'throttle' | 'slow' } = {},
): Directory {
  const misbehave = async <T>(value: T): Promise<T> => {
    if (behaviour.fail === 'error') throw Object.assign(new Error('Service unavailable'), { status: 503 });
    if (behaviour.fail === 'throttle')
      throw Object.assign(new Error('Too many requests'), { status: 429, retryAfterSeconds: 30 });
    if (behaviour.fail === 'slow') await new Promise((resolve) => setTimeout(resolve, 5_000));
    return value;
  };
  return {
    getUser: () => misbehave(user),
    getAuthenticationMethods: () => misbehave(behaviour.methods ?? [authenticator]),
    getRecentSignIns: () => misbehave(behaviour.signIns ?? []),
    getDirectReports: () => misbehave([]),
    checkMemberGroups: () => misbehave([]),
    getGroupMembers: () => misbehave([]),
    getDirectoryRoles: () => misbehave([]),
    // A diagnosis only reads.
    deleteAuthenticationMethod: () => Promise.reject(new Error('a diagnosis must not delete methods')),
    revokeSignInSessions: () => Promise.reject(new Error('a diagnosis must not revoke sessions')),
    createTemporaryAccessPass: () => Promise.reject(new Error('a diagnosis must not create passes')),
  };
}

function service(
  dir: Directory | undefined,
  repository = new MemoryRepository(),
  budgetMs = 2_000,
  knowledge = sampleKnowledge(),
) {
  let n = 0;
  const diagnosis = new DiagnosisService({
    engine: new DiagnosisEngine(knowledge, new Set()),
    directory: dir,
    repository,
    clock: { now: () => NOW },
    newId: () => `d${++n}`,
    evidenceBudgetMs: budgetMs,
  });
  return { diagnosis, repository };
}

describe('the diagnosis service', () => {
  it('looks at the directory first and keeps only masked methods', async () => {
    const { diagnosis } = service(directory({ methods: [authenticator, phone] }));
    const turn = await diagnosis.start(subject, 'menu');
    expect(turn.diagnosis.facts).toMatchObject({ hasSeveralMfaMethods: true, accountDisabled: false });
    expect(turn.diagnosis.methods).toEqual([
      { kind: 'microsoftAuthenticator', device: 'iPhone 15', phoneType: undefined, masked: undefined, isDefault: true },
      { kind: 'phone', device: undefined, phoneType: 'mobile', masked: '+65 •••• 4567', isDefault: false },
    ]);
    expect(JSON.stringify(turn.diagnosis)).not.toContain('9123');
  });

  it('routes a locked account straight to its outcome from the sign-in log', async () => {
    const signIns = [{ at: new Date(NOW.getTime() - 60_000), errorCode: 50053 }];
    const { diagnosis } = service(directory({ signIns }));
    const turn = await diagnosis.start(subject, 'menu');
    expect(turn.view.kind === 'outcome' && turn.view.node.id).toBe('locked');
  });

  it.each(['error', 'throttle', 'slow'] as const)(
    'still reaches an outcome within the time budget when the directory %s',
    async (fail) => {
      const { diagnosis, repository } = service(directory({ fail }), undefined, 300);
      const started = Date.now();
      const first = await diagnosis.start(subject, 'menu');
      // The slow directory answers after 5 s; finishing well before shows the budget was kept.
      expect(Date.now() - started).toBeLessThan(4_000);
      expect(first.view.kind).toBe('question');
      expect(first.diagnosis.facts).toEqual({});
      expect(first.diagnosis.evidenceGaps).toHaveLength(3);
      const second = await diagnosis.answer(subject, first.diagnosis, 'q-what', 'new');
      expect(second.view.kind).toBe('outcome');
      expect(repository.records.get(first.diagnosis.id)?.evidenceGaps.join()).toMatch(
        fail === 'slow' ? /within 300 ms/ : fail === 'throttle' ? /Too many requests/ : /Service unavailable/,
      );
    },
  );

  it('asks everything when no directory is configured', async () => {
    const { diagnosis } = service(undefined);
    const turn = await diagnosis.start(subject, 'menu');
    expect(turn.view.kind).toBe('question');
    expect(turn.diagnosis.methods).toBeUndefined();
  });

  it('records who, the path, the outcome and whether it was resolved', async () => {
    const { diagnosis, repository } = service(directory({ methods: [authenticator, phone] }));
    const first = await diagnosis.start(subject, 'lost-phone', 'lost-phone');
    const second = await diagnosis.answer(subject, first.diagnosis, 'q-other', 'yes');
    expect(second.view.kind === 'outcome' && second.view.node.id).toBe('another-way');
    const done = await diagnosis.feedback(subject, second.diagnosis!, 'another-way', true);
    expect(done).toEqual({ diagnosis: undefined, view: { kind: 'resolved' } });
    expect(repository.records.get('d1')).toMatchObject({
      tenantId: 't1',
      userId: 'u1',
      entry: 'lost-phone',
      outcome: 'another-way',
      result: 'resolved',
      questionsAsked: 1,
      path: [{ node: 'q-other', via: 'asked', choice: 'yes' }],
    });
  });

  it('skips the question the directory answers, and records `applied` only once the application is sent', async () => {
    const { diagnosis, repository } = service(directory({ methods: [authenticator] }));
    const reset = await diagnosis.start(subject, 'lost-phone', 'lost-phone');
    expect(reset.view.kind === 'outcome' && reset.view.node.id).toBe('reset');
    const applying = await diagnosis.feedback(subject, reset.diagnosis!, 'reset', false);
    expect(applying.view).toEqual({ kind: 'apply', triedOutcomes: ['reset'], lost: [] });
    expect(applying.diagnosis).toBeUndefined();
    // The form is open, nothing is sent yet.
    expect(repository.records.get('d1')).toMatchObject({ result: 'open', outcome: 'reset' });

    await diagnosis.applicationSent(subject, 'd1');
    expect(repository.records.get('d1')).toMatchObject({ result: 'applied', outcome: 'reset', updatedAt: NOW });
  });

  it('leaves the record of another person or tenant alone when an application names it', async () => {
    const { diagnosis, repository } = service(directory({ methods: [authenticator] }));
    const reset = await diagnosis.start(subject, 'lost-phone', 'lost-phone');
    await diagnosis.feedback(subject, reset.diagnosis!, 'reset', false);
    await diagnosis.applicationSent({ tenantId: 't1', userId: 'someone-else' }, 'd1');
    await diagnosis.applicationSent({ tenantId: 't2', userId: 'u1' }, 'd1');
    await diagnosis.applicationSent(subject, 'no-such-diagnosis');
    expect(repository.records.get('d1')).toMatchObject({ result: 'open' });
  });

  it('ends a diagnosis at the helpdesk outcome, recorded as not resolved, with nothing left to answer', async () => {
    const { diagnosis, repository } = service(
      directory({ methods: [authenticator, phone] }),
      undefined,
      2_000,
      guardedResetKnowledge(),
    );
    const first = await diagnosis.start(subject, 'menu');
    expect(first.ended).toBe(false);
    const another = await diagnosis.answer(subject, first.diagnosis, 'q-what', 'app-gone');
    const asked = await diagnosis.feedback(subject, another.diagnosis!, 'another-way', false);
    // Alex still has his phone number: he is asked about it, not told that everything is out of reach.
    expect(asked.view.kind === 'question' && asked.view.node.id).toBe('q-left');
    const handedOver = await diagnosis.answer(subject, asked.diagnosis!, 'q-left', 'one-works');
    expect(handedOver.view.kind === 'outcome' && handedOver.view.node.id).toBe('helpdesk');
    expect(handedOver.diagnosis).toBeUndefined();
    expect(repository.records.get('d1')).toMatchObject({
      outcome: 'helpdesk',
      result: 'notResolved',
      questionsAsked: 2,
    });
  });

  it('says a diagnosis that starts at the helpdesk outcome has already ended', async () => {
    const { diagnosis, repository } = service(directory(), undefined, 2_000, guardedResetKnowledge());
    const turn = await diagnosis.start(subject, 'helpdesk', 'helpdesk');
    expect(turn.ended).toBe(true);
    expect(repository.records.get('d1')).toMatchObject({ outcome: 'helpdesk', result: 'notResolved' });
  });

  it('refuses "it worked" for an outcome that is not the current one', async () => {
    const { diagnosis } = service(directory());
    const first = await diagnosis.start(subject, 'menu');
    await expect(diagnosis.feedback(subject, first.diagnosis, 'reset', true)).rejects.toThrow(/no longer current/);
  });
});
