import { randomUUID } from 'node:crypto';
import { loadDemoTenant } from '../../src/directory/demo-tenant.js';

/** The demo tenant, as tests address its people. */
export const tenant = loadDemoTenant();

const byPersona = (persona: string) => {
  const user = tenant.users.find((u) => u.persona === persona);
  if (!user) throw new Error(`no demo user with persona ${persona}`);
  return user;
};

export const alex = byPersona('requester');
export const ken = byPersona('helpdesk agent (Japanese)');

export interface Sender {
  id: string;
  displayName: string;
}

interface ActivityOptions {
  serviceUrl: string;
  from?: Sender;
  locale?: string;
  conversationId?: string;
  tenantId?: string;
  withAadObjectId?: boolean;
}

const BOT = { id: `28:${tenant.bot.id}`, name: tenant.bot.name };

function base(type: string, options: ActivityOptions) {
  const from = options.from ?? alex;
  return {
    type,
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: options.serviceUrl,
    locale: options.locale ?? 'en-US',
    from: {
      id: `29:${from.id}`,
      name: from.displayName,
      ...(options.withAadObjectId === false ? {} : { aadObjectId: from.id }),
    },
    recipient: BOT,
    conversation: {
      id: options.conversationId ?? `a:personal-${from.id}`,
      conversationType: 'personal',
      tenantId: options.tenantId ?? tenant.tenant.id,
    },
    channelData: { tenant: { id: options.tenantId ?? tenant.tenant.id } },
  };
}

/** A text message in a 1:1 chat with the bot. */
export function personalMessage(text: string, options: ActivityOptions) {
  return { ...base('message', options), text, textFormat: 'plain' };
}

/** The bot being installed in someone's personal scope. */
export function personalInstall(options: ActivityOptions) {
  return { ...base('conversationUpdate', options), membersAdded: [{ id: BOT.id }] };
}

/** The installationUpdate Teams sends just before the conversationUpdate of a personal install. */
export function personalInstallationUpdate(options: ActivityOptions) {
  return { ...base('installationUpdate', options), action: 'add' };
}

/** The bot being added to a team: the General channel gets the activity. */
export function teamInstall(options: ActivityOptions) {
  const activity = base('conversationUpdate', options);
  return {
    ...activity,
    conversation: {
      id: tenant.team.id,
      conversationType: 'channel',
      isGroup: true,
      tenantId: activity.conversation.tenantId,
    },
    channelData: {
      ...activity.channelData,
      team: { id: tenant.team.id, name: tenant.team.name },
      channel: { id: tenant.team.id },
      eventType: 'teamMemberAdded',
    },
    membersAdded: [{ id: BOT.id }],
  };
}

/** A press of an Action.Execute button (an `adaptiveCard/action` invoke). */
export function cardAction(verb: string, options: ActivityOptions, data: Record<string, unknown> = {}) {
  return {
    ...base('invoke', options),
    name: 'adaptiveCard/action',
    value: { action: { type: 'Action.Execute', verb, data: { verb, ...data } }, trigger: 'manual' },
  };
}

/** A press of an Action.Submit button (older clients): a message whose value carries the verb. */
export function cardSubmit(verb: string, options: ActivityOptions, data: Record<string, unknown> = {}) {
  return { ...base('message', options), value: { verb, ...data } };
}
