import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderNoticeCard } from '../../src/cards/notice.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createBotAdapter } from '../../src/teams/bot-adapter.js';
import { MessageGoneError, TeamsMessenger } from '../../src/teams/proactive/messenger.js';
import { tenant } from '../support/activities.js';
import { FakeConnector } from '../support/fake-connector.js';
import { StaticCredentialsFactory } from '../support/fake-token-authority.js';

const APP_ID = '7d3c9a51-2f4e-4b6a-8c1d-0e9f8a7b6c5d';

/** Counts how often the adapter asks for credentials, that is, builds a connector client. */
class CountingCredentialsFactory extends StaticCredentialsFactory {
  built = 0;
  override async createCredentials(...args: Parameters<StaticCredentialsFactory['createCredentials']>) {
    this.built += 1;
    return super.createCredentials(...args);
  }
}

describe('messages the bot starts itself, in production mode', () => {
  const connector = new FakeConnector();
  const credentials = new CountingCredentialsFactory(APP_ID);
  let messenger: TeamsMessenger;
  beforeAll(async () => {
    await connector.start();
    const config = loadConfig({
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: 'client-secret-value',
      MicrosoftAppType: 'SingleTenant',
      MicrosoftAppTenantId: '1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6',
      ALLOWED_TENANTS: tenant.tenant.id,
      AUDIT_KEY: 'cHJvZHVjdGlvbi1tb2RlLXRlc3RzLWF1ZGl0LWtleQ==',
    });
    messenger = new TeamsMessenger(createBotAdapter(config, { credentialsFactory: credentials }), APP_ID);
  });
  afterAll(() => connector.stop());

  const card = renderNoticeCard({ title: 'Request SIH-000001', body: 'Approved.', tone: 'default' });
  const personal = () => ({
    serviceUrl: connector.serviceUrl,
    conversation: { id: 'a:alex-1on1', conversationType: 'personal', tenantId: tenant.tenant.id },
    user: { id: '29:alex', name: 'Alex' },
  });

  it('carries the bot token on every message and builds one client per Bot Connector endpoint', async () => {
    connector.clear();
    const before = credentials.built;
    await messenger.sendCard(personal(), card);
    const post = await messenger.postCard(
      { tenantId: tenant.tenant.id, serviceUrl: connector.serviceUrl, channelId: tenant.team.approvalChannel.id },
      card,
    );
    await messenger.updateCard({ ...post, requestId: 'r1', postedAt: new Date() }, card);

    expect(connector.calls.map((call) => call.method)).toEqual(['POST', 'POST', 'PUT']);
    for (const call of connector.calls) expect(call.authorization).toBe('Bearer outbound-test-token');
    expect(credentials.built - before).toBe(1);
    // The 1:1 message went to the stored conversation, as from the bot, to the person.
    expect(connector.calls[0]!.conversationId).toBe('a:alex-1on1');
    expect(connector.calls[0]!.body).toMatchObject({ from: { id: APP_ID }, recipient: { id: '29:alex' } });
    // The update replaced the message the post created.
    expect(connector.calls[2]!.activityId).toBe(post.messageId);
  });

  it('reports a deleted card as gone, and a failed endpoint does not stop the next message', async () => {
    connector.clear();
    connector.failNext(404, 'ActivityNotFound', 'The activity was not found');
    await expect(
      messenger.updateCard(
        {
          requestId: 'r2',
          tenantId: tenant.tenant.id,
          channelId: tenant.team.approvalChannel.id,
          conversationId: `${tenant.team.approvalChannel.id};messageid=1`,
          messageId: '1',
          serviceUrl: connector.serviceUrl,
          postedAt: new Date(),
        },
        card,
      ),
    ).rejects.toBeInstanceOf(MessageGoneError);

    await messenger.sendCard(personal(), card);
    expect(connector.sentActivities()).toHaveLength(1);
  });
});
