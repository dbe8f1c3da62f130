import { describe, expect, it } from 'vitest';
import type { ApprovalChannel, ChannelPost, RequestRepository } from '../../../src/domain/requests/ports.js';
import { OPEN_STATES, type RequestState } from '../../../src/domain/requests/request.js';
import { MORNING as T0, TENANT, draftFor, fileAndMove, submittedEvent } from '../../support/request-drafts.js';
import { databasesPerTest, storeBackends } from '../../support/store-backends.js';

const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const OPEN = [...OPEN_STATES];

const channel = (overrides: Partial<ApprovalChannel> = {}): ApprovalChannel => ({
  tenantId: TENANT,
  teamId: 'team-1',
  channelId: 'channel-a',
  serviceUrl: 'https://smba.trafficmanager.net/emea/',
  locale: 'en-US',
  setBy: 'lead-1',
  setAt: T0,
  unavailableSince: undefined,
  ...overrides,
});

const post = (requestId: string, overrides: Partial<ChannelPost> = {}): ChannelPost => ({
  requestId,
  tenantId: TENANT,
  channelId: 'channel-a',
  conversationId: `channel-a;messageid=${requestId}`,
  messageId: `message-${requestId}`,
  serviceUrl: 'https://smba.trafficmanager.net/emea/',
  postedAt: T0,
  ...overrides,
});

/** A new request of `tenantId`, stored in `state` as filed. */
async function filed(requests: RequestRepository, tenantId: string, state: RequestState): Promise<string> {
  const draft = draftFor(`subject-of-${tenantId}-${state}`, { tenantId, state });
  const created = await requests.create(draft, submittedEvent(draft), { dailyCap: 100, since: new Date(0) });
  if (created.kind !== 'created') throw new Error(created.kind);
  return draft.id;
}

describe.each(storeBackends())('approval channels and their cards ($name)', (backend) => {
  const openDatabase = databasesPerTest(backend);

  const setUp = async () => {
    const database = await openDatabase();
    return { channels: database.store.channels, requests: database.store.requests };
  };

  it('sets, replaces and marks a channel unavailable from the first failure until it is set again', async () => {
    const { channels } = await setUp();
    expect(await channels.find(TENANT)).toBeUndefined();
    await channels.save(channel());
    expect(await channels.find(TENANT)).toEqual(channel());

    const moved = channel({ teamId: 'team-2', channelId: 'channel-b', locale: 'ja-JP', setBy: 'lead-2', setAt: at(5) });
    await channels.save(moved);
    expect(await channels.find(TENANT)).toEqual(moved);

    await channels.markUnavailable(TENANT, at(10));
    await channels.markUnavailable(TENANT, at(20));
    expect(await channels.find(TENANT)).toEqual({ ...moved, unavailableSince: at(10) });

    await channels.save({ ...moved, setAt: at(30) });
    expect(await channels.find(TENANT)).toEqual({ ...moved, setAt: at(30), unavailableSince: undefined });
    await channels.markUnavailable('tenant-without-channel', at(40));
    expect(await channels.find('tenant-without-channel')).toBeUndefined();
  });

  it("keeps each request's card, replaced when it is posted again, and finds several by request id", async () => {
    const { channels } = await setUp();
    expect(await channels.findPost('r1')).toBeUndefined();
    for (const id of ['r3', 'r1', 'r2']) await channels.savePost(post(id));
    expect(await channels.findPost('r1')).toEqual(post('r1'));

    const again = post('r1', {
      channelId: 'channel-b',
      conversationId: 'channel-b;messageid=9',
      messageId: 'message-9',
      serviceUrl: 'https://smba.trafficmanager.net/apac/',
      postedAt: at(5),
    });
    await channels.savePost(again);
    expect(await channels.findPost('r1')).toEqual(again);

    expect(await channels.findPosts([])).toEqual([]);
    expect(await channels.findPosts(['r3', 'unknown', 'r1'])).toEqual([again, post('r3')]);
  });

  it('lets one owner at a time claim posting a card, until its lease runs out or the post is saved', async () => {
    const { channels } = await setUp();
    const claim = (owner: string, now: number, until: number, channelId = 'channel-a') =>
      channels.claimPost('r1', channelId, owner, at(now), at(until));

    expect(await claim('instance-a', 0, 2)).toBe(true);
    expect(await claim('instance-b', 1, 3)).toBe(false);
    // A claim is per channel: after the helpdesk moved, the card is posted to the new one.
    expect(await claim('instance-b', 1, 3, 'channel-b')).toBe(true);
    // A retry of the holder's own claims again and renews the lease.
    expect(await claim('instance-a', 1, 4)).toBe(true);
    expect(await claim('instance-b', 3, 5)).toBe(false);
    // The holder died: once its lease ran out, another instance claims it.
    expect(await claim('instance-b', 4, 6)).toBe(true);
    expect(await claim('instance-a', 5, 7)).toBe(false);

    // Saving the post ends the claim in its channel, and only there: a card deleted in Teams may be posted anew.
    await channels.savePost(post('r1'));
    expect(await claim('instance-a', 5, 7)).toBe(true);
    expect(await claim('instance-a', 2, 4, 'channel-b')).toBe(false);
  });

  it('gives the claim to exactly one of two instances claiming a card at the same moment', async () => {
    const database = await openDatabase();
    const instances = [database.store, await database.another()];
    const claims = instances.flatMap((store, instance) =>
      Array.from({ length: 20 }, (_, attempt) =>
        store.channels.claimPost('r1', 'channel-a', `instance-${instance}-${attempt}`, T0, at(2)),
      ),
    );

    expect((await Promise.all(claims)).filter(Boolean)).toHaveLength(1);
  });

  it("lists a tenant's open requests without a card in the current channel, oldest first", async () => {
    const { channels, requests } = await setUp();
    const first = await fileAndMove(requests, 's1', []);
    const posted = await fileAndMove(requests, 's2', [{ to: 'pending_review' }]);
    await fileAndMove(requests, 's3', [{ to: 'cancelled' }]);
    const waiting = await fileAndMove(requests, 's4', [{ to: 'pending_review' }]);
    const approved = await fileAndMove(requests, 's5', [{ to: 'pending_review' }, { to: 'approved' }]);
    await filed(requests, 'tenant-2', 'pending_review');
    await channels.savePost(post(posted.id));

    expect(await channels.unposted(TENANT, 'channel-a', OPEN, 10)).toEqual([first.id, waiting.id, approved.id]);
    expect(await channels.unposted(TENANT, 'channel-a', OPEN, 2)).toEqual([first.id, waiting.id]);
    expect(await channels.unposted(TENANT, 'channel-a', ['pending_review'], 10)).toEqual([waiting.id]);
    // After the helpdesk moves to another channel, the card in the old one no longer counts.
    expect(await channels.unposted(TENANT, 'channel-b', OPEN, 10)).toEqual([
      first.id,
      posted.id,
      waiting.id,
      approved.id,
    ]);
    expect(await channels.unposted('tenant-3', 'channel-a', OPEN, 10)).toEqual([]);
  });

  it('names the tenants with an open request that was never posted anywhere', async () => {
    const { channels, requests } = await setUp();
    await filed(requests, 'tenant-c', 'pending_review');
    await filed(requests, 'tenant-b', 'pending_review');
    await filed(requests, 'tenant-b', 'submitted');
    const postedInOldChannel = await filed(requests, 'tenant-a', 'pending_review');
    const postedNow = await filed(requests, 'tenant-e', 'submitted');
    await fileAndMove(requests, 's1', [{ to: 'cancelled' }]);
    // A card counts even in a channel since replaced.
    await channels.savePost(post(postedInOldChannel, { tenantId: 'tenant-a', channelId: 'old-channel' }));
    await channels.savePost(post(postedNow, { tenantId: 'tenant-e' }));

    // Which tenant comes first is not part of the contract.
    expect((await channels.tenantsWithUnposted(OPEN)).sort()).toEqual(['tenant-b', 'tenant-c']);
    expect(await channels.tenantsWithUnposted(['cancelled'])).toEqual([TENANT]);
    expect(await channels.tenantsWithUnposted([])).toEqual([]);
  });
});
