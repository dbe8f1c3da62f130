import { describe, expect, it } from 'vitest';
import {
  CHAIN_PROBLEMS,
  GENESIS_HASH,
  auditKey,
  auditKeyRing,
  checkChain,
  signEvent,
  hashEvent,
  toWellFormed,
  verifyChain,
  type ChainedEvent,
  type HashableEvent,
} from '../../src/store/audit-chain.js';

const event: HashableEvent = {
  requestId: 'req-1',
  tenantId: 'tenant-1',
  actor: 'aad-agent',
  at: new Date('2026-11-24T09:00:00.000Z'),
  from: 'pending_review',
  to: 'approved',
  reason: 'verified on a video call with photo ID',
};

/** A correctly chained trail of `count` events. */
function chain(count: number): ChainedEvent[] {
  const rows: ChainedEvent[] = [];
  for (let sequence = 1; sequence <= count; sequence++) {
    const previousHash = rows.at(-1)?.hash ?? GENESIS_HASH;
    const fields = { ...event, at: `2026-11-24T09:00:0${sequence}.000Z`, reason: `step ${sequence}` };
    rows.push({ ...fields, sequence, previousHash, hash: hashEvent(previousHash, sequence, fields) });
  }
  return rows;
}

describe('hashEvent', () => {
  it('gives the same SHA-256 for the same event every time, whether `at` is a Date or its ISO string', () => {
    const hash = hashEvent(GENESIS_HASH, 1, event);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashEvent(GENESIS_HASH, 1, { ...event })).toBe(hash);
    expect(hashEvent(GENESIS_HASH, 1, { ...event, at: '2026-11-24T09:00:00.000Z' })).toBe(hash);
  });

  it('keeps its format, so trails written by earlier builds still verify', () => {
    // Pinned, computed outside the code with `printf '%s' '<input>' | sha256sum` over
    // ["sih-audit-v1","000…0",1,"req-1","tenant-1","aad-agent","2026-11-24T09:00:00.000Z","pending_review","approved",
    //  "verified on a video call with photo ID",null].
    // If this changes, every stored trail would read as broken.
    expect(hashEvent(GENESIS_HASH, 1, event)).toBe('51d9d10d1317cfae85e6163cac03b5e0c7def3c4c765bf69a47a6f400aa80369');
  });

  it('changes when any field, the sequence or the previous hash changes', () => {
    const base = hashEvent(GENESIS_HASH, 1, event);
    const variants: Array<[string, string]> = [
      ['requestId', hashEvent(GENESIS_HASH, 1, { ...event, requestId: 'req-2' })],
      ['tenantId', hashEvent(GENESIS_HASH, 1, { ...event, tenantId: 'tenant-2' })],
      ['graphRequestId', hashEvent(GENESIS_HASH, 1, { ...event, graphRequestId: 'a1b2c3' })],
      ['actor', hashEvent(GENESIS_HASH, 1, { ...event, actor: 'aad-other' })],
      ['at', hashEvent(GENESIS_HASH, 1, { ...event, at: new Date('2026-11-24T09:00:00.001Z') })],
      ['from', hashEvent(GENESIS_HASH, 1, { ...event, from: null })],
      ['to', hashEvent(GENESIS_HASH, 1, { ...event, to: 'rejected' })],
      ['reason', hashEvent(GENESIS_HASH, 1, { ...event, reason: 'verified on a video call with photo ID.' })],
      ['sequence', hashEvent(GENESIS_HASH, 2, event)],
      ['previousHash', hashEvent('f'.repeat(64), 1, event)],
    ];
    for (const [field, hash] of variants) expect(hash, field).not.toBe(base);
    expect(new Set(variants.map(([, hash]) => hash)).size).toBe(variants.length);
  });

  it('keeps field boundaries, so moving text from one field to the next changes the hash', () => {
    const a = hashEvent(GENESIS_HASH, 1, { ...event, actor: 'ab', reason: 'c' });
    const b = hashEvent(GENESIS_HASH, 1, { ...event, actor: 'a', reason: 'bc' });
    const c = hashEvent(GENESIS_HASH, 1, { ...event, actor: 'a","b', reason: 'c' });
    expect(new Set([a, b, c]).size).toBe(3);
  });
});

describe('verifyChain', () => {
  it('accepts an empty trail and an intact one, counting the events', () => {
    expect(verifyChain([])).toEqual({ ok: true, events: 0 });
    expect(verifyChain(chain(5))).toEqual({ ok: true, events: 5 });
  });

  it('reports an event whose content was edited, at that event', () => {
    const rows = chain(5);
    rows[2] = { ...rows[2]!, reason: 'nothing to see here' };
    expect(verifyChain(rows)).toEqual({ ok: false, events: 3, brokenAt: 3, problem: CHAIN_PROBLEMS.content });
  });

  it('reports an event rewritten with a fresh hash at the event after it', () => {
    const rows = chain(5);
    const forged = { ...rows[2]!, actor: 'aad-attacker' };
    rows[2] = { ...forged, hash: hashEvent(forged.previousHash, forged.sequence, forged) };
    expect(verifyChain(rows)).toEqual({ ok: false, events: 4, brokenAt: 4, problem: CHAIN_PROBLEMS.link });
  });

  it('reports a removed event as a sequence gap', () => {
    const rows = chain(5);
    rows.splice(1, 1);
    expect(verifyChain(rows)).toMatchObject({ ok: false, brokenAt: 3, problem: CHAIN_PROBLEMS.gap });
  });

  it('reports a trail whose first event was removed', () => {
    expect(verifyChain(chain(3).slice(1))).toMatchObject({ ok: false, brokenAt: 2, problem: CHAIN_PROBLEMS.gap });
  });

  it('reports a first event that does not start from the genesis hash', () => {
    const [first] = chain(1);
    const previousHash = 'a'.repeat(64);
    const rows = [{ ...first!, previousHash, hash: hashEvent(previousHash, 1, first!) }];
    expect(verifyChain(rows)).toMatchObject({ ok: false, brokenAt: 1, problem: CHAIN_PROBLEMS.link });
  });

  it('reads any iterable, so a store can stream the trail', () => {
    function* stream() {
      yield* chain(4);
    }
    expect(verifyChain(stream())).toEqual({ ok: true, events: 4 });
  });
});

describe('signEvent (HMAC-SHA-256 with the audit key)', () => {
  const key = auditKey('k'.repeat(32));

  it('keeps its format and the key id derived from the key, so signed trails verify with later builds', () => {
    // Pinned, computed outside the code with `openssl dgst -sha256 -hmac kkk…k` over the text "sih-audit-key-id-v1"
    // (the id: k + its first 16 hex digits) and over ["sih-audit-v2","k76a91afe37a29e43","000…0",1,"req-1",
    // "tenant-1","aad-agent","2026-11-24T09:00:00.000Z","pending_review","approved","verified on a video call with
    // photo ID",null,null].
    expect(key.id).toBe('k76a91afe37a29e43');
    expect(signEvent(key, GENESIS_HASH, 1, event)).toBe(
      '6aaad7a2692f87bfb82e6c3bb3317977a074d8381cfb70c080e71ee8dcd63773',
    );
  });

  it('differs from the unkeyed hash, with another key, and with another personal digest', () => {
    const signed = signEvent(key, GENESIS_HASH, 1, event);
    expect(signed).not.toBe(hashEvent(GENESIS_HASH, 1, event));
    expect(signEvent(auditKey('j'.repeat(32)), GENESIS_HASH, 1, event)).not.toBe(signed);
    expect(signEvent(key, GENESIS_HASH, 1, { ...event, personalDigest: 'a'.repeat(64) })).not.toBe(signed);
  });

  it('verifies unsigned events only before the first signed one, and signed ones only with their key', () => {
    const unsigned = chain(2);
    const fields = { ...event, at: '2026-11-24T09:00:03.000Z' };
    const signed = { ...fields, sequence: 3, previousHash: unsigned[1]!.hash, keyId: key.id };
    const third = { ...signed, hash: signEvent(key, signed.previousHash, 3, fields) };
    expect(checkChain([...unsigned, third], { keys: auditKeyRing('k'.repeat(32)) })).toMatchObject({
      verification: { ok: true, events: 3 },
      unsigned: 2,
      head: { sequence: 3, hash: third.hash, keyId: key.id },
    });
    expect(verifyChain([...unsigned, third])).toMatchObject({ ok: false, brokenAt: 3 });
    expect(verifyChain(unsigned, { keyedFrom: 2 })).toMatchObject({
      ok: false,
      brokenAt: 2,
      problem: CHAIN_PROBLEMS.unsigned,
    });
  });
});

describe('toWellFormed', () => {
  it('replaces unpaired surrogates and NUL, which no backend can store, and leaves everything else alone', () => {
    expect(toWellFormed('a\ud800b\udc00c')).toBe('a\ufffdb\ufffdc');
    expect(toWellFormed('\ud83d\ude00 ok 日本語 \u0000\u0001\t')).toBe('\ud83d\ude00 ok 日本語 \ufffd\u0001\t');
  });
});
