import { describe, expect, it } from 'vitest';
import type { DemoTenant } from '../../../src/directory/demo-tenant.js';
import { ServiceUnavailableError } from '../../../src/directory/directory-errors.js';
import { SimulatedDirectory, type DirectoryOperation } from '../../../src/directory/simulated-directory.js';
import { MAX_CONTACT_LENGTH, type ApplicationInput } from '../../../src/domain/requests/application.js';
import { MAX_TEXT_LENGTH } from '../../../src/domain/requests/request.js';
import { RequestService, type Filer } from '../../../src/domain/requests/request-service.js';
import { tenant } from '../../support/activities.js';
import { InMemoryRequestRepository, MovableClock } from '../../support/in-memory-ports.js';

const TENANT = tenant.tenant.id;
const HOUR_MS = 3_600_000;
const person = (alias: string) => tenant.users.find((user) => user.userPrincipalName.split('@')[0] === alias)!;
const alex = person('alexw');
// Megan manages Alex, Yuki, Shota and Misaki.
const megan = person('meganb');
const meganReports = tenant.users.filter((user) => user.managerId === megan.id);
const yuki = person('yuki.sato');
const shota = person('shota.yamada');
const diego = person('diegos');
const johanna = person('johannal');

/** The methods the application card offered. */
const KNOWN = new Set(['method-1', 'method-2']);
const VALID: ApplicationInput = {
  reason: 'lostPhone',
  lostMethods: 'method-1',
  verification: 'videoCall',
  contact: '+65 9123 4567',
  note: 'Dropped it in the harbour.',
};

interface SetUpOptions {
  dailyCap?: number;
  /** No directory configured at all. */
  withoutDirectory?: boolean;
  failing?: ReadonlySet<DirectoryOperation>;
  demo?: DemoTenant;
}

/** The request service on the in-memory store, the demo directory and a clock that moves only when told. */
function setUp({ dailyCap = 3, withoutDirectory = false, failing = new Set(), demo = tenant }: SetUpOptions = {}) {
  const clock = new MovableClock();
  const repository = new InMemoryRequestRepository();
  const directory = new SimulatedDirectory(demo, clock, {
    failWith: (operation) => (failing.has(operation) ? new ServiceUnavailableError() : undefined),
  });
  let ids = 0;
  const service = new RequestService({
    repository,
    directory: withoutDirectory ? undefined : directory,
    clock,
    newId: () => `request-${++ids}`,
    dailyCap,
  });
  return { clock, repository, service };
}

const as = (user: { id: string }): Filer => ({ tenantId: TENANT, userId: user.id });

describe('whose account a person may apply for', () => {
  it('offers the filer first, then their enabled direct reports, by name', async () => {
    const { service } = setUp();
    expect(await service.eligibleSubjects(as(megan))).toEqual([
      { id: megan.id, displayName: megan.displayName, isSelf: true },
      ...meganReports.map((report) => ({ id: report.id, displayName: report.displayName, isSelf: false })),
    ]);
    expect(await service.eligibleSubjects(as(alex))).toEqual([
      { id: alex.id, displayName: alex.displayName, isSelf: true },
    ]);
  });

  it('leaves out a direct report whose account is disabled', async () => {
    const demo = structuredClone(tenant);
    demo.users.find((user) => user.id === johanna.id)!.managerId = megan.id;
    const { service } = setUp({ demo });
    const ids = (await service.eligibleSubjects(as(megan))).map((subject) => subject.id);
    expect(ids).toEqual([megan.id, ...meganReports.map((report) => report.id)]);
    expect(ids).not.toContain(johanna.id);
  });

  it('offers only the filer, unnamed, when there is no directory or it fails', async () => {
    const self = { id: megan.id, displayName: '', isSelf: true };
    expect(await setUp({ withoutDirectory: true }).service.eligibleSubjects(as(megan))).toEqual([self]);
    const down = setUp({ failing: new Set(['getUser', 'getDirectReports']) });
    expect(await down.service.eligibleSubjects(as(megan))).toEqual([self]);
  });
});

describe('submitting an application', () => {
  it('stores the filer’s own application as submitted, version 1, with its first audit event', async () => {
    const { service, repository, clock } = setUp();
    const result = await service.submit(as(alex), alex.id, { ...VALID, contact: '  +65 9123 4567 ' }, KNOWN, 'd-1');
    expect(result).toMatchObject({
      kind: 'created',
      subject: { id: alex.id, displayName: alex.displayName, isSelf: true },
      request: { id: 'request-1', reference: 'SIH-000001', state: 'submitted', version: 1, filerId: alex.id },
    });
    const stored = await repository.find('request-1');
    expect(stored).toEqual(result.kind === 'created' ? result.request : undefined);
    expect(stored?.application).toEqual({
      subjectId: alex.id,
      reason: 'lostPhone',
      lostMethodIds: ['method-1'],
      verification: 'videoCall',
      contact: '+65 9123 4567',
      note: 'Dropped it in the harbour.',
      diagnosisId: 'd-1',
    });
    expect(stored?.createdAt).toEqual(clock.now());
    expect(stored?.review).toEqual({
      claimedBy: undefined,
      approvals: [],
      questions: [],
      manager: undefined,
      rejection: undefined,
    });
    expect(await repository.eventsOf('request-1')).toEqual([
      {
        requestId: 'request-1',
        tenantId: TENANT,
        actor: alex.id,
        at: clock.now(),
        from: null,
        to: 'submitted',
        reason: 'application filed',
      },
    ]);
  });

  it('lets a line manager file for a direct report, recorded as filed for a report', async () => {
    const { service, repository } = setUp();
    const result = await service.submit(as(megan), yuki.id, VALID, KNOWN, undefined);
    expect(result).toMatchObject({
      kind: 'created',
      subject: { id: yuki.id, displayName: yuki.displayName, isSelf: false },
      request: { filerId: megan.id, application: { subjectId: yuki.id, diagnosisId: undefined } },
    });
    expect(await repository.eventsOf('request-1')).toEqual([
      expect.objectContaining({ actor: megan.id, reason: 'application filed for a direct report' }),
    ]);
  });

  it('refuses, storing nothing but the audited refusal, an account that is neither the filer’s nor a direct report’s', async () => {
    const { service, repository } = setUp();
    // Diego is not Alex's report; Alex is not Megan's manager; a made-up id; a disabled account.
    for (const [filer, subjectId] of [
      [alex, diego.id],
      [alex, megan.id],
      [megan, '00000000-0000-4000-8000-00000000beef'],
      [megan, johanna.id],
    ] as const) {
      expect(await service.submit(as(filer), subjectId, VALID, KNOWN, undefined)).toEqual({ kind: 'notEligible' });
    }
    // Card data naming someone else's account is on the record, with who sent it.
    expect(repository.allEvents().map((event) => [event.actor, event.to, event.reason])).toEqual([
      [alex.id, 'refused', `refused application for ${diego.id}: notEligible`],
      [alex.id, 'refused', `refused application for ${megan.id}: notEligible`],
      [megan.id, 'refused', 'refused application for 00000000-0000-4000-8000-00000000beef: notEligible'],
      [megan.id, 'refused', `refused application for ${johanna.id}: notEligible`],
    ]);
    expect(await repository.listForPerson(TENANT, megan.id, 10)).toEqual([]);
  });

  it('refuses a direct report when the directory cannot confirm it, but still takes the filer’s own', async () => {
    for (const setup of [setUp({ withoutDirectory: true }), setUp({ failing: new Set(['getDirectReports']) })]) {
      expect(await setup.service.submit(as(megan), alex.id, VALID, KNOWN, undefined)).toEqual({ kind: 'notEligible' });
      expect((await setup.service.submit(as(megan), megan.id, VALID, KNOWN, undefined)).kind).toBe('created');
    }
  });

  describe('validation', () => {
    const cases: Array<[string, ApplicationInput, Record<string, string>]> = [
      [
        'nothing chosen or typed',
        {},
        { reason: 'required', lostMethods: 'required', verification: 'required', contact: 'required' },
      ],
      ['a reason the card does not offer', { ...VALID, reason: 'bored' }, { reason: 'invalid' }],
      [
        'no lost method chosen while the subject has methods',
        { ...VALID, lostMethods: ' , ' },
        { lostMethods: 'required' },
      ],
      [
        'a method the subject does not have',
        { ...VALID, lostMethods: 'method-1,method-9' },
        { lostMethods: 'invalid' },
      ],
      ['a verification the card does not offer', { ...VALID, verification: 'telepathy' }, { verification: 'invalid' }],
      ['a blank contact', { ...VALID, contact: '   ' }, { contact: 'required' }],
      [
        'a contact too long',
        { ...VALID, contact: `a@${'b'.repeat(MAX_CONTACT_LENGTH)}.example` },
        { contact: 'tooLong' },
      ],
      [
        'a contact that is neither a phone number nor an email',
        { ...VALID, contact: 'call me' },
        { contact: 'notContact' },
      ],
      ['a note too long', { ...VALID, note: 'x'.repeat(MAX_TEXT_LENGTH + 1) }, { note: 'tooLong' }],
      [
        'inputs that are not text',
        { ...VALID, reason: 3, verification: ['videoCall'] },
        { reason: 'required', verification: 'required' },
      ],
    ];
    it.each(cases)('returns the form with its problems for %s, storing nothing', async (_name, input, problems) => {
      const { service, repository } = setUp();
      const result = await service.submit(as(megan), alex.id, input, KNOWN, undefined);
      expect(result).toMatchObject({ kind: 'invalid', subject: { id: alex.id, isSelf: false } });
      expect(result.kind === 'invalid' && result.problems).toEqual(problems);
      expect(repository.allEvents()).toEqual([]);
    });

    it('gives back exactly what was typed, so nothing is lost on a correction', async () => {
      const { service } = setUp();
      const input = { ...VALID, contact: ' call me ', note: '  [x](https://evil) ${secret} ' };
      const result = await service.submit(as(alex), alex.id, input, KNOWN, undefined);
      expect(result).toMatchObject({
        kind: 'invalid',
        values: {
          reason: 'lostPhone',
          lostMethods: 'method-1',
          verification: 'videoCall',
          contact: ' call me ',
          note: input.note,
        },
      });
    });

    it('needs no lost method when the subject has none registered', async () => {
      const { service } = setUp();
      const result = await service.submit(as(alex), alex.id, { ...VALID, lostMethods: '' }, new Set(), undefined);
      expect(result).toMatchObject({ kind: 'created', request: { application: { lostMethodIds: [] } } });
    });
  });

  describe('one open request per subject', () => {
    it('refuses a second application, from anyone, with the open one’s reference, audited on that request', async () => {
      const { service, repository, clock } = setUp();
      await service.submit(as(alex), alex.id, VALID, KNOWN, undefined);
      clock.advance(60_000);
      expect(await service.submit(as(alex), alex.id, VALID, KNOWN, undefined)).toEqual({
        kind: 'subjectHasOpenRequest',
        reference: 'SIH-000001',
      });
      expect(await service.submit(as(megan), alex.id, VALID, KNOWN, undefined)).toEqual({
        kind: 'subjectHasOpenRequest',
        reference: 'SIH-000001',
      });
      const refusals = (await repository.eventsOf('request-1')).slice(1);
      expect(refusals).toEqual(
        [alex, megan].map((filer) => ({
          requestId: 'request-1',
          tenantId: TENANT,
          actor: filer.id,
          at: clock.now(),
          from: 'submitted',
          to: 'refused',
          reason: 'refused a second application while this request is open',
        })),
      );
      expect(await repository.find('request-2')).toBeUndefined();
      expect(await repository.find('request-3')).toBeUndefined();
    });

    it('takes a new application once the earlier one is closed', async () => {
      const { service, repository, clock } = setUp();
      await service.submit(as(alex), alex.id, VALID, KNOWN, undefined);
      const cancelled = await repository.compareAndSet({
        id: 'request-1',
        expectedVersion: 1,
        to: 'cancelled',
        at: clock.now(),
        event: {
          requestId: 'request-1',
          tenantId: TENANT,
          actor: alex.id,
          at: clock.now(),
          from: 'submitted',
          to: 'cancelled',
          reason: 'cancelled',
        },
      });
      expect(cancelled).toBe(true);
      expect(await service.submit(as(alex), alex.id, VALID, KNOWN, undefined)).toMatchObject({
        kind: 'created',
        request: { reference: 'SIH-000002' },
      });
    });
  });

  describe('daily cap per filer', () => {
    it('refuses the application past the cap within 24 hours, audited with the count, and takes it once a day has passed', async () => {
      const { service, repository, clock } = setUp({ dailyCap: 2 });
      const start = clock.now();
      // Megan files for two of her reports; a third, for herself, is over the cap.
      expect((await service.submit(as(megan), alex.id, VALID, KNOWN, undefined)).kind).toBe('created');
      clock.advance(HOUR_MS);
      expect((await service.submit(as(megan), yuki.id, VALID, KNOWN, undefined)).kind).toBe('created');
      clock.set(new Date(start.getTime() + 24 * HOUR_MS));
      expect(await service.submit(as(megan), megan.id, VALID, KNOWN, undefined)).toEqual({
        kind: 'filerCapReached',
        cap: 2,
      });
      expect(repository.allEvents().at(-1)).toEqual({
        requestId: '-',
        tenantId: TENANT,
        actor: megan.id,
        at: clock.now(),
        from: null,
        to: 'refused',
        reason: 'refused an application: 2 filed in the last 24 hours, the cap is 2',
      });
      // One millisecond later the first filing is more than a day old.
      clock.advance(1);
      expect((await service.submit(as(megan), megan.id, VALID, KNOWN, undefined)).kind).toBe('created');
    });

    it('counts each filer on their own', async () => {
      const { service } = setUp({ dailyCap: 1 });
      expect((await service.submit(as(megan), yuki.id, VALID, KNOWN, undefined)).kind).toBe('created');
      expect((await service.submit(as(alex), alex.id, VALID, KNOWN, undefined)).kind).toBe('created');
      expect((await service.submit(as(megan), shota.id, VALID, KNOWN, undefined)).kind).toBe('filerCapReached');
    });

    it('reports the open request before the cap when both apply', async () => {
      const { service } = setUp({ dailyCap: 1 });
      await service.submit(as(alex), alex.id, VALID, KNOWN, undefined);
      expect(await service.submit(as(alex), alex.id, VALID, KNOWN, undefined)).toMatchObject({
        kind: 'subjectHasOpenRequest',
      });
    });
  });
});
