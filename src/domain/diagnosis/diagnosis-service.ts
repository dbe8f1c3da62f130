import type { Clock, DiagnosisRecord, DiagnosisRepository, Directory } from '../ports.js';
import {
  StaleDiagnosisStepError,
  type DiagnosisEngine,
  type DiagnosisState,
  type DiagnosisView,
  type Facts,
} from './engine.js';
import { factsFrom, gatherEvidence } from './evidence.js';
import { maskMethod, type MaskedMethod } from './mask.js';

export type { MaskedMethod } from './mask.js';

/** A diagnosis in progress, as kept in conversation state between turns. */
export interface ActiveDiagnosis {
  id: string;
  entry: string;
  /** What the person said was wrong, typed or picked on the symptoms card, when the knowledge knows it. */
  intentId?: string | undefined;
  startedAt: string;
  state: DiagnosisState;
  /** The facts found when it started; later steps reuse them rather than asking the directory again. */
  facts: Facts;
  methods: MaskedMethod[] | undefined;
  evidenceGaps: string[];
}

/** The person a diagnosis is for, from the authenticated activity. */
export interface DiagnosisSubject {
  tenantId: string;
  userId: string;
  locale: string;
}

/** What a step produced: the updated diagnosis (none once it is over) and what to show. */
export interface DiagnosisTurn {
  diagnosis: ActiveDiagnosis | undefined;
  view: DiagnosisView | { kind: 'resolved' };
}

/**
 * Whether showing `view` ends the diagnosis: the application (which records `applied` only once it
 * is sent), nothing left to try, or the helpdesk outcome, which asks nothing more.
 */
export function endsDiagnosis(view: DiagnosisTurn['view']): boolean {
  return (
    view.kind === 'apply' ||
    view.kind === 'unresolved' ||
    view.kind === 'resolved' ||
    (view.kind === 'outcome' && view.node.category === 'helpdesk')
  );
}

export interface DiagnosisServiceOptions {
  engine: DiagnosisEngine;
  /** Undefined where no directory is configured: every question is then asked. */
  directory: Directory | undefined;
  repository: DiagnosisRepository;
  clock: Clock;
  newId: () => string;
  /** Time budget for all directory evidence together. */
  evidenceBudgetMs: number;
}

/**
 * Runs diagnoses: looks at the directory first, walks the knowledge with the engine, and
 * records every step so statistics can tell how many people fixed it themselves.
 */
export class DiagnosisService {
  constructor(private readonly options: DiagnosisServiceOptions) {}

  /**
   * Starts a diagnosis; `said` are the signals of the message `intentId` was read from. `ended` when its first view
   * already ends it (the helpdesk outcome).
   */
  async start(
    subject: DiagnosisSubject,
    entry: string,
    intentId?: string,
    said: readonly string[] = [],
  ): Promise<DiagnosisTurn & { diagnosis: ActiveDiagnosis; ended: boolean }> {
    const { engine, directory, evidenceBudgetMs, clock, newId } = this.options;
    const found = directory ? await gatherEvidence(directory, subject.userId, evidenceBudgetMs) : undefined;
    const facts = found ? factsFrom(found.evidence, clock.now()) : {};
    const step = engine.begin(facts, intentId, said);
    const diagnosis: ActiveDiagnosis = {
      id: newId(),
      entry,
      intentId,
      startedAt: clock.now().toISOString(),
      state: step.state,
      facts,
      methods: found?.evidence.methods?.filter((method) => method.kind !== 'password').map(maskMethod),
      evidenceGaps: found ? found.gaps.map((gap) => `${gap.part}: ${gap.reason}`) : ['directory: not configured'],
    };
    await this.record(subject, diagnosis, step.view);
    return { diagnosis, view: step.view, ended: endsDiagnosis(step.view) };
  }

  /** The person picked `choiceId` on the question card for `atNode`. */
  async answer(
    subject: DiagnosisSubject,
    diagnosis: ActiveDiagnosis,
    atNode: string,
    choiceId: string,
  ): Promise<DiagnosisTurn> {
    const step = this.options.engine.answer(diagnosis.state, atNode, choiceId, diagnosis.facts);
    return this.advance(subject, { ...diagnosis, state: step.state }, step.view);
  }

  /** The person answered "Did this fix it?" on the outcome card for `atNode`. */
  async feedback(
    subject: DiagnosisSubject,
    diagnosis: ActiveDiagnosis,
    atNode: string,
    fixed: boolean,
  ): Promise<DiagnosisTurn> {
    const { engine } = this.options;
    if (fixed) {
      const view = engine.current(diagnosis.state);
      if (view.kind !== 'outcome' || view.node.id !== atNode) throw new StaleDiagnosisStepError(diagnosis.state.node);
      await this.record(subject, diagnosis, { kind: 'resolved' });
      return { diagnosis: undefined, view: { kind: 'resolved' } };
    }
    const step = engine.notFixed(diagnosis.state, atNode, diagnosis.facts);
    return this.advance(subject, { ...diagnosis, state: step.state }, step.view);
  }

  /**
   * An application was sent from the diagnosis `diagnosisId`: its record now says `applied`. The id
   * came in card data, so a diagnosis of another person or tenant is left as it is.
   */
  async applicationSent(filer: { tenantId: string; userId: string }, diagnosisId: string): Promise<void> {
    const { repository, clock } = this.options;
    const record = await repository.find(diagnosisId);
    if (!record || record.tenantId !== filer.tenantId || record.userId !== filer.userId) return;
    if (record.result === 'applied') return;
    await repository.save({ ...record, result: 'applied', updatedAt: clock.now() });
  }

  /** The person started over before this diagnosis ended; it is recorded as abandoned. */
  async abandon(subject: DiagnosisSubject, diagnosis: ActiveDiagnosis): Promise<void> {
    await this.record(subject, diagnosis, { kind: 'abandoned' });
  }

  private async advance(
    subject: DiagnosisSubject,
    diagnosis: ActiveDiagnosis,
    view: DiagnosisView,
  ): Promise<DiagnosisTurn> {
    await this.record(subject, diagnosis, view);
    return { diagnosis: endsDiagnosis(view) ? undefined : diagnosis, view };
  }

  private async record(
    subject: DiagnosisSubject,
    diagnosis: ActiveDiagnosis,
    view: DiagnosisTurn['view'] | { kind: 'abandoned' },
  ): Promise<void> {
    const outcomes = diagnosis.state.path.filter((step) => step.via === 'notFixed').map((step) => step.node);
    // The outcome shown last: the one on screen now, else the last one tried.
    const resting =
      view.kind === 'resolved' || view.kind === 'abandoned' ? this.options.engine.current(diagnosis.state) : view;
    const shown = resting.kind === 'outcome' ? resting.node.id : outcomes.at(-1);
    // An application opened is not one sent: `applied` comes with the sending (applicationSent).
    const results: Record<string, DiagnosisRecord['result']> = {
      resolved: 'resolved',
      unresolved: 'notResolved',
      abandoned: 'abandoned',
    };
    const handedOver = view.kind === 'outcome' && view.node.category === 'helpdesk';
    const result = handedOver ? 'notResolved' : (results[view.kind] ?? 'open');
    await this.options.repository.save({
      id: diagnosis.id,
      tenantId: subject.tenantId,
      userId: subject.userId,
      locale: subject.locale,
      entry: diagnosis.entry,
      startedAt: new Date(diagnosis.startedAt),
      updatedAt: this.options.clock.now(),
      path: diagnosis.state.path,
      outcome: shown,
      result,
      questionsAsked: diagnosis.state.questionsAsked,
      evidenceGaps: diagnosis.evidenceGaps,
      evidence: {
        facts: Object.fromEntries(
          Object.entries(diagnosis.facts).filter((entry): entry is [string, boolean] => entry[1] !== undefined),
        ),
        methodKinds: diagnosis.methods?.map((method) => method.kind),
      },
    });
  }
}
