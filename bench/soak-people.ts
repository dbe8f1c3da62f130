import type { DemoTenant, DemoUser } from '../src/directory/demo-tenant.js';
import { copiesOfAlex, persona, withPeople } from './people.js';

/** People who chat with the bot over the soak (diagnoses, menus, their requests), each in their own 1:1 chat. */
export const SOAK_PEOPLE = 128;
/**
 * People who file a reset application, each in turn (after the last, the first again): their requests are claimed,
 * approved and carried out. New people keep coming, as in a real tenant; BENCH_SOAK_APPLICANTS makes them fewer.
 */
export const SOAK_APPLICANTS = Number(process.env.BENCH_SOAK_APPLICANTS ?? 8_000);

/** The soak's people: the same on both sides of the process boundary, since both build them from the demo tenant. */
export function soakPeople(demo: DemoTenant): {
  tenant: DemoTenant;
  people: DemoUser[];
  applicants: DemoUser[];
  agents: DemoUser[];
  lead: DemoUser;
  manager: DemoUser;
} {
  // No line manager: an application for oneself with a video call goes straight to the helpdesk.
  const people = copiesOfAlex(demo, 'd0000000', 'Soak person', SOAK_PEOPLE, { managerId: undefined });
  const applicants = copiesOfAlex(demo, 'e0000000', 'Soak applicant', SOAK_APPLICANTS, { managerId: undefined });
  return {
    tenant: withPeople(demo, people, applicants),
    people,
    applicants,
    agents: [persona(demo, 'helpdesk agent'), persona(demo, 'helpdesk agent (Japanese)')],
    lead: persona(demo, 'helpdesk lead'),
    manager: persona(demo, 'line manager of Alex Wilber and Yuki Sato'),
  };
}

/** The soak's bot process tells its parent. */
export type SoakBotMessage =
  | { kind: 'ready'; port: number }
  | {
      kind: 'sample';
      /** After two garbage collections, with the bot's background work drained. */
      rss: number;
      heapUsed: number;
      external: number;
      logged: { warn: number; error: number; first: string[] };
      /** Stored requests by state. */
      requests: Record<string, number>;
    };

/** The parent asks the bot process. */
export type SoakParentMessage = { kind: 'sample' } | { kind: 'stop' };
