import { describe, expect, it } from 'vitest';
import type { ConversationAddress } from '../../../src/domain/ports.js';
import { EtagConflictError } from '../../../src/errors.js';
import { databasesPerTest, storeBackends } from '../../support/store-backends.js';

describe.each(storeBackends())('bot state and conversation addresses ($name)', (backend) => {
  const openDatabase = databasesPerTest(backend);
  const openStore = async () => {
    const database = await openDatabase();
    return database.store;
  };
  const openState = async () => (await openStore()).state;
  const openAddresses = async () => (await openStore()).addresses;

  it('reads back what it wrote, with an eTag, and nothing for unknown keys', async () => {
    const store = await openState();
    await store.write({ a: { count: 1, nested: { ok: true } } });
    const items = await store.read(['a', 'missing']);
    expect(Object.keys(items)).toEqual(['a']);
    expect(items.a).toEqual({ count: 1, nested: { ok: true }, eTag: '1' });
  });

  it('rejects a write that carries a stale eTag and keeps the newer value', async () => {
    const store = await openState();
    await store.write({ k: { v: 'first' } });
    const [first] = Object.values(await store.read(['k']));
    const [second] = Object.values(await store.read(['k']));
    await store.write({ k: { ...first, v: 'from first reader' } });
    await expect(store.write({ k: { ...second, v: 'from second reader' } })).rejects.toBeInstanceOf(EtagConflictError);
    expect((await store.read(['k'])).k).toMatchObject({ v: 'from first reader', eTag: '2' });
  });

  it('overwrites with the * eTag and with no eTag', async () => {
    const store = await openState();
    await store.write({ k: { v: 1 } });
    await store.write({ k: { v: 2, eTag: '*' } });
    await store.write({ k: { v: 3 } });
    expect((await store.read(['k'])).k).toEqual({ v: 3, eTag: '3' });
  });

  it('writes all items of one call or none of them', async () => {
    const store = await openState();
    await store.write({ a: { v: 1 }, b: { v: 1 } });
    await expect(store.write({ a: { v: 2 }, b: { v: 2, eTag: '999' } })).rejects.toBeInstanceOf(EtagConflictError);
    expect(await store.read(['a', 'b'])).toEqual({ a: { v: 1, eTag: '1' }, b: { v: 1, eTag: '1' } });
  });

  it('treats a non-numeric eTag as stale rather than guessing', async () => {
    const store = await openState();
    await store.write({ k: { v: 1 } });
    await expect(store.write({ k: { v: 2, eTag: 'W/"abc"' } })).rejects.toBeInstanceOf(EtagConflictError);
  });

  it('deletes items', async () => {
    const store = await openState();
    await store.write({ a: { v: 1 }, b: { v: 1 } });
    await store.delete(['a', 'never-existed']);
    expect(Object.keys(await store.read(['a', 'b']))).toEqual(['b']);
  });

  it('keeps conversation addresses, replacing an older one with the same key', async () => {
    const repository = await openAddresses();
    const address = {
      key: 'user:abc',
      kind: 'personal' as const,
      tenantId: 't1',
      aadObjectId: 'abc',
      teamId: undefined,
      locale: 'ja-JP',
      reference: { conversation: { id: 'a:1' }, serviceUrl: 'https://smba.example/' },
      updatedAt: new Date('2026-11-24T09:00:00Z'),
    };
    await repository.save(address);
    await repository.save({ ...address, locale: 'en-US', updatedAt: new Date('2026-11-24T10:00:00Z') });
    expect(await repository.find('t1', 'user:abc')).toEqual({
      ...address,
      locale: 'en-US',
      updatedAt: new Date('2026-11-24T10:00:00Z'),
    });
    expect(await repository.find('t1', 'user:nobody')).toBeUndefined();
  });

  it('keeps one address per tenant for an object id that two tenants both hold', async () => {
    const repository = await openAddresses();
    const inTenant = (tenantId: string, conversationId: string): ConversationAddress => ({
      key: 'user:same-object-id',
      kind: 'personal',
      tenantId,
      aadObjectId: 'same-object-id',
      teamId: undefined,
      locale: 'en-US',
      reference: { conversation: { id: conversationId, tenantId }, serviceUrl: 'https://smba.example/' },
      updatedAt: new Date('2026-11-24T09:00:00Z'),
    });
    await repository.save(inTenant('t1', 'a:chat-in-t1'));
    await repository.save(inTenant('t2', 'a:chat-in-t2'));

    expect(await repository.find('t1', 'user:same-object-id')).toEqual(inTenant('t1', 'a:chat-in-t1'));
    expect(await repository.find('t2', 'user:same-object-id')).toEqual(inTenant('t2', 'a:chat-in-t2'));
    expect(await repository.find('t3', 'user:same-object-id')).toBeUndefined();
  });

  it("finds a team's latest address, however many personal chats are newer", async () => {
    const repository = await openAddresses();
    const at = (minute: number) => new Date(Date.UTC(2026, 10, 24, 9, minute));
    const base = {
      kind: 'personal' as ConversationAddress['kind'],
      tenantId: 't1',
      aadObjectId: undefined,
      teamId: undefined as string | undefined,
      locale: 'en-US',
      reference: { serviceUrl: 'https://a/' },
    };
    await repository.save({ ...base, key: 'channel:old', kind: 'channel', teamId: 'team-1', updatedAt: at(0) });
    await repository.save({ ...base, key: 'channel:new', kind: 'channel', teamId: 'team-1', updatedAt: at(1) });
    for (let i = 0; i < 50; i += 1) await repository.save({ ...base, key: `user:${i}`, updatedAt: at(2 + i) });

    expect((await repository.latestForTenant('t1', 'team-1'))?.key).toBe('channel:new');
    expect((await repository.latestForTenant('t1'))?.key).toBe('user:49');
    expect(await repository.latestForTenant('t1', 'team-2')).toBeUndefined();
  });
});
