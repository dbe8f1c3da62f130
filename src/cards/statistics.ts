import type { Strings } from '../content/strings/index.js';
import { format } from '../content/strings/index.js';
import { STATISTICS_PERIODS, type DurationSummary, type Statistics } from '../domain/requests/statistics.js';
import { renderCard, type AdaptiveCard } from './render-card.js';
import { Verbs } from './verbs.js';

type Table = { columns: Array<{ width: number }>; rows: string[][] };

/** Data of `cards/statistics.json`. Every chart comes with the same figures as a table, its fallback. */
export interface StatisticsCardData {
  title: string;
  period: string;
  periodVerb: string;
  periods: Array<{ title: string; days: number; current: boolean }>;
  counts: {
    heading: string;
    /** Two rows, so that each figure keeps room on a phone. */
    rows: Array<Array<{ label: string; value: string; color: 'Default' | 'Good' | 'Attention' }>>;
    note: string | null;
  };
  volume: {
    title: string;
    xAxis: string;
    yAxis: string;
    series: Array<{ legend: string; values: Array<{ x: string; y: number }> }>;
    table: Table;
  };
  times: { heading: string; items: Array<{ label: string; value: string }> };
  agents: {
    title: string;
    none: string | null;
    xAxis: string;
    yAxis: string;
    series: Array<{ legend: string; values: Array<{ x: string; y: number }> }>;
    table: Table;
  };
  diagnoses: {
    title: string;
    none: string | null;
    slices: Array<{ legend: string; value: number; color: string }>;
    table: Table;
    rate: string | null;
  };
  outcomes: { title: string; items: Array<{ label: string; value: string }> };
}

/** How the lead reads the figures: agents and outcomes by name, rates as percentages in their language. */
export interface StatisticsReader {
  strings: Strings;
  locale: string;
  /** Agents' display names by object id. */
  names: ReadonlyMap<string, string>;
  /** An outcome's title in the reader's language, by outcome id. */
  outcomeTitle: (outcomeId: string) => string;
}

const MOST_AGENTS = 8;

/** The lead's statistics card: counts, a volume line, times, decisions per agent and how diagnoses ended. */
export function renderStatisticsCard(reader: StatisticsReader, stats: Statistics): AdaptiveCard {
  const { strings } = reader;
  const s = strings.stats;
  const number = new Intl.NumberFormat(reader.locale);
  const percent = new Intl.NumberFormat(reader.locale, { style: 'percent', maximumFractionDigits: 0 });
  const agents = stats.decisionsByAgent.slice(0, MOST_AGENTS);
  const agentName = (id: string) => reader.names.get(id) ?? strings.status.someone;
  const endings = [
    { key: 'resolved', value: stats.diagnoses.resolved, color: 'good' },
    { key: 'applied', value: stats.diagnoses.applied, color: 'categoricalBlue' },
    { key: 'notResolved', value: stats.diagnoses.notResolved, color: 'attention' },
    { key: 'unfinished', value: stats.diagnoses.unfinished, color: 'neutral' },
  ] as const;
  const ended = stats.diagnoses.resolved + stats.diagnoses.applied + stats.diagnoses.notResolved;
  const xAxis = stats.days === 90 ? s.weekAxis : s.dayAxis;

  const data: StatisticsCardData = {
    title: s.title,
    period: format(s.period, { days: String(stats.days), from: stats.from, to: stats.to }),
    periodVerb: Verbs.statsPeriod,
    periods: STATISTICS_PERIODS.map((days) => ({
      title: format(s.periodButton, { days: String(days) }),
      days,
      current: days === stats.days,
    })),
    counts: {
      heading: s.countsHeading,
      rows: [['filed', 'approved', 'rejected', 'cancelled'] as const, ['expired', 'completed', 'failed'] as const].map(
        (keys) =>
          keys.map((key) => ({
            label: s.counts[key],
            value: number.format(stats[key]),
            color: key === 'failed' && stats.failed > 0 ? 'Attention' : 'Default',
          })),
      ),
      note:
        stats.managerDeclined > 0 ? format(s.managerDeclined, { count: number.format(stats.managerDeclined) }) : null,
    },
    volume: {
      title: s.volumeTitle,
      xAxis,
      yAxis: s.countAxis,
      series: [
        { legend: s.filedLegend, values: stats.volume.map((point) => ({ x: point.label, y: point.filed })) },
        { legend: s.completedLegend, values: stats.volume.map((point) => ({ x: point.label, y: point.completed })) },
      ],
      table: {
        columns: [{ width: 2 }, { width: 1 }, { width: 1 }],
        rows: [
          [xAxis, s.filedLegend, s.completedLegend],
          ...stats.volume.map((point) => [point.label, number.format(point.filed), number.format(point.completed)]),
        ],
      },
    },
    times: {
      heading: s.timesHeading,
      items: [
        { label: s.toDecision, value: describeDurations(strings, reader.locale, number, stats.toDecision) },
        { label: s.toCompletion, value: describeDurations(strings, reader.locale, number, stats.toCompletion) },
      ],
    },
    agents: {
      title: s.agentsTitle,
      none: agents.length === 0 ? s.noDecisions : null,
      xAxis: s.agentAxis,
      yAxis: s.countAxis,
      series: [
        {
          legend: s.approvedLegend,
          values: agents.map((agent) => ({ x: agentName(agent.agentId), y: agent.approved })),
        },
        {
          legend: s.rejectedLegend,
          values: agents.map((agent) => ({ x: agentName(agent.agentId), y: agent.rejected })),
        },
      ],
      table: {
        columns: [{ width: 2 }, { width: 1 }, { width: 1 }],
        rows: [
          [s.agentAxis, s.approvedLegend, s.rejectedLegend],
          ...agents.map((agent) => [
            agentName(agent.agentId),
            number.format(agent.approved),
            number.format(agent.rejected),
          ]),
        ],
      },
    },
    diagnoses: {
      title: s.diagnosesTitle,
      none: stats.diagnoses.total === 0 ? s.noDiagnoses : null,
      slices: endings.map((ending) => ({ legend: s.endings[ending.key], value: ending.value, color: ending.color })),
      table: {
        columns: [{ width: 2 }, { width: 1 }],
        rows: [
          [s.tableItem, s.tableCount],
          ...endings.map((ending) => [s.endings[ending.key], number.format(ending.value)]),
        ],
      },
      rate:
        stats.diagnoses.selfServiceRate === undefined
          ? null
          : format(s.selfService, {
              rate: percent.format(stats.diagnoses.selfServiceRate),
              count: number.format(ended),
            }),
    },
    outcomes: {
      title: s.outcomesTitle,
      items: stats.topOutcomes.map((outcome) => ({
        label: reader.outcomeTitle(outcome.outcome),
        value: format(s.outcomeLine, {
          count: number.format(outcome.count),
          resolved: number.format(outcome.resolved),
          applied: number.format(outcome.applied),
        }),
      })),
    },
  };
  return renderCard('statistics', data);
}

function describeDurations(
  strings: Strings,
  locale: string,
  number: Intl.NumberFormat,
  summary: DurationSummary | undefined,
): string {
  const s = strings.stats;
  if (!summary) return s.noDurations;
  return format(s.durationLine, {
    median: formatSpan(s.duration, locale, summary.median),
    p90: formatSpan(s.duration, locale, summary.p90),
    count: number.format(summary.count),
  });
}

/** A time span as a lead compares them: minutes under an hour, hours under two days, then days, to two figures. */
export function formatSpan(units: Strings['stats']['duration'], locale: string, ms: number): string {
  const figures = new Intl.NumberFormat(locale, { maximumSignificantDigits: 2 });
  const minutes = ms / 60_000;
  if (minutes < 60) return format(units.minutes, { n: figures.format(Math.max(1, Math.round(minutes))) });
  const hours = minutes / 60;
  if (hours < 48) return format(units.hours, { n: figures.format(hours) });
  return format(units.days, { n: figures.format(hours / 24) });
}
