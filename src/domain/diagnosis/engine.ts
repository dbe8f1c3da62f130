import {
  APPLY,
  type Condition,
  type FactName,
  type Knowledge,
  type KnowledgeNode,
  type LinkId,
  type LostMethods,
  type OutcomeNode,
  type QuestionNode,
  RESETTABLE_METHOD_KINDS,
} from './knowledge.js';
import type { ResetReason } from '../requests/request.js';

/** What the directory told: a fact is true, false, or absent when unknown. */
export type Facts = Partial<Record<FactName, boolean>>;

/** One step of a diagnosis, kept for the record and for statistics. */
export interface PathStep {
  node: string;
  /**
   * How the step was taken: the person answered, their first message had said it, the evidence answered, a check
   * routed, or "did not fix it".
   */
  via: 'asked' | 'said' | 'evidence' | 'check' | 'notFixed';
  choice?: string;
}

/** Where a diagnosis rests when no outcome helped and none is left to try. */
export const UNRESOLVED = 'unresolved';

/** Where a diagnosis stands; plain data, so it can live in conversation state. */
export interface DiagnosisState {
  /** A question or outcome id, APPLY, or UNRESOLVED. */
  node: string;
  questionsAsked: number;
  path: PathStep[];
  triedOutcomes: string[];
  /** The intent the diagnosis started from, when its words decided where (they may say what is lost). */
  intent?: string;
  /** The signals the first message said, when its intent decided where: they answer questions without asking. */
  said?: string[];
}

/** What to show the person next. */
export type DiagnosisView =
  | { kind: 'question'; node: QuestionNode }
  | { kind: 'outcome'; node: OutcomeNode }
  /** The application, to be prefilled with what happened (when the person said it) and the methods they said are lost. */
  | { kind: 'apply'; triedOutcomes: readonly string[]; lost: LostMethods; reason?: ResetReason }
  | { kind: 'unresolved'; triedOutcomes: readonly string[] };

export interface DiagnosisStep {
  state: DiagnosisState;
  view: DiagnosisView;
}

/** Why an answer was not applied: the card was for an earlier step, or the choice does not exist. */
export class StaleDiagnosisStepError extends Error {
  constructor(readonly expectedNode: string) {
    super(`This step is no longer current; the diagnosis is at "${expectedNode}".`);
    this.name = 'StaleDiagnosisStepError';
  }
}

/**
 * Walks a validated knowledge base. Pure: every call takes the state and the facts and returns
 * a new state and the view to show, so it can be replayed and tested without any I/O.
 */
export class DiagnosisEngine {
  private readonly byId: ReadonlyMap<string, KnowledgeNode>;

  constructor(
    private readonly knowledge: Knowledge,
    private readonly configuredLinks: ReadonlySet<LinkId>,
  ) {
    this.byId = new Map(knowledge.nodes.map((node) => [node.id, node]));
  }

  /**
   * Starts at an intent's entry (or the knowledge's start) and runs checks until something is to be shown; `said` are
   * the signals of the message the intent was read from.
   */
  begin(facts: Facts, intentId?: string, said: readonly string[] = []): DiagnosisStep {
    const fresh: DiagnosisState = { node: this.knowledge.start, questionsAsked: 0, path: [], triedOutcomes: [] };
    const entry = this.knowledge.intents.find((intent) => intent.id === intentId)?.entry;
    if (entry === undefined) return this.settle(fresh, facts);
    fresh.intent = intentId;
    if (said.length > 0) fresh.said = [...said];
    // Evidence outranks words: when the checks at the start already decide an outcome (a locked
    // or disabled account, say), that is the answer, whatever the person typed.
    const triage = this.settle(fresh, facts, { checksOnly: true });
    if (triage.view.kind === 'outcome' && triage.state.path.length > 0) return triage;
    return this.settle({ ...fresh, node: entry }, facts);
  }

  /** What the current step shows, without moving. */
  current(state: DiagnosisState): DiagnosisView {
    if (state.node === APPLY) {
      const reason = this.reason(state);
      const view = { kind: 'apply' as const, triedOutcomes: state.triedOutcomes, lost: this.lostMethods(state) };
      return reason === undefined ? view : { ...view, reason };
    }
    if (state.node === UNRESOLVED) return { kind: 'unresolved', triedOutcomes: state.triedOutcomes };
    const node = this.node(state.node);
    if (node.kind === 'question') return { kind: 'question', node };
    if (node.kind === 'outcome') return { kind: 'outcome', node };
    throw new Error(`diagnosis state rests on check "${node.id}"`);
  }

  /** Applies the person's answer to the question at `atNode`. */
  answer(state: DiagnosisState, atNode: string, choiceId: string, facts: Facts): DiagnosisStep {
    const node = this.byId.get(state.node);
    if (state.node !== atNode || node?.kind !== 'question') throw new StaleDiagnosisStepError(state.node);
    const choice = node.choices.find((c) => c.id === choiceId);
    if (!choice) throw new StaleDiagnosisStepError(state.node);
    return this.settle(
      {
        ...state,
        node: choice.next,
        questionsAsked: state.questionsAsked + 1,
        path: [...state.path, { node: node.id, via: 'asked', choice: choice.id }],
      },
      facts,
    );
  }

  /** The outcome at `atNode` did not help: move to the next likely outcome or the application. */
  notFixed(state: DiagnosisState, atNode: string, facts: Facts): DiagnosisStep {
    const node = this.byId.get(state.node);
    if (state.node !== atNode || node?.kind !== 'outcome') throw new StaleDiagnosisStepError(state.node);
    return this.settle(
      {
        ...state,
        node: node.ifNotFixed ?? UNRESOLVED,
        triedOutcomes: [...state.triedOutcomes, node.id],
        path: [...state.path, { node: node.id, via: 'notFixed' }],
      },
      facts,
    );
  }

  /** The methods the person has said are lost so far: `all`, or the kinds their words and answers named. */
  lostMethods(state: DiagnosisState): LostMethods {
    const said = this.saidSoFar(state).map((what) => what.lost);
    if (said.includes('all')) return 'all';
    const kinds = new Set(said.flatMap((lost) => (lost === undefined || lost === 'all' ? [] : lost)));
    return RESETTABLE_METHOD_KINDS.filter((kind) => kinds.has(kind));
  }

  /**
   * What happened, as the application asks it: the last answer that said so, else the first message's intent, else
   * the first of its signals that says it.
   */
  private reason(state: DiagnosisState): ResetReason | undefined {
    const answered = this.saidSoFar(state).findLast((what) => what.reason !== undefined)?.reason;
    if (answered !== undefined) return answered;
    const signals = this.knowledge.signals ?? [];
    for (const id of state.said ?? []) {
      const reason = signals.find((signal) => signal.id === id)?.reason;
      if (reason !== undefined) return reason;
    }
    return undefined;
  }

  /** The intent the diagnosis started from and each choice taken since, in order: what they say is lost or happened. */
  private saidSoFar(state: DiagnosisState): Array<{ lost?: LostMethods; reason?: ResetReason }> {
    const said: Array<{ lost?: LostMethods; reason?: ResetReason }> = [];
    const intent = this.knowledge.intents.find((candidate) => candidate.id === state.intent);
    if (intent) said.push(intent);
    for (const step of state.path) {
      const node = step.choice === undefined ? undefined : this.byId.get(step.node);
      const choice = node?.kind === 'question' ? node.choices.find((c) => c.id === step.choice) : undefined;
      if (choice) said.push(choice);
    }
    return said;
  }

  private settle(start: DiagnosisState, facts: Facts, options: { checksOnly?: boolean } = {}): DiagnosisStep {
    let state = start;
    // A validated graph has no cycles, so a walk visits each node at most once.
    for (let guard = 0; guard <= this.byId.size; guard++) {
      if (state.node === APPLY || state.node === UNRESOLVED) return { state, view: this.current(state) };
      const node = this.node(state.node);
      if (node.kind === 'outcome') return { state, view: { kind: 'outcome', node } };
      if (node.kind === 'check') {
        const next = node.branches.find((branch) => this.holds(branch.when, state, facts))?.next ?? node.otherwise;
        state = { ...state, node: next, path: [...state.path, { node: node.id, via: 'check' }] };
        continue;
      }
      if (options.checksOnly) return { state, view: { kind: 'question', node } };
      // The person's words outrank the directory, which knows what is registered but not what still works; words
      // that say two answers ("the old phone works but it's broken") say none.
      const saying = node.choices.filter((choice) => choice.said !== undefined && state.said?.includes(choice.said));
      const said = saying.length === 1 ? saying[0] : undefined;
      const implied = said ?? node.choices.find((choice) => choice.impliedBy && facts[choice.impliedBy] === true);
      if (!implied) return { state, view: { kind: 'question', node } };
      state = {
        ...state,
        node: implied.next,
        path: [...state.path, { node: node.id, via: said ? 'said' : 'evidence', choice: implied.id }],
      };
    }
    throw new Error('diagnosis walk did not settle: the knowledge base has a cycle');
  }

  private holds(condition: Condition, state: DiagnosisState, facts: Facts): boolean {
    if ('fact' in condition) return facts[condition.fact] === true;
    if ('linkConfigured' in condition) return this.configuredLinks.has(condition.linkConfigured);
    // Unknown methods may be usable ones: only the person's word or an empty directory rules them out.
    return facts.hasNoMfaMethod !== true && this.lostMethods(state) !== 'all';
  }

  private node(id: string): KnowledgeNode {
    const node = this.byId.get(id);
    if (!node) throw new Error(`diagnosis node "${id}" does not exist`);
    return node;
  }
}
