import { statSync } from 'node:fs';
import type { Clock, HealthCheck, StateStore, StoredState } from '../../domain/ports.js';
import { EtagConflictError } from '../../errors.js';
import { groupCommitFor } from './group-commit.js';
import type { SqliteDatabase } from './open-database.js';

interface StateRow {
  key: string;
  value: string;
  etag: number;
}

/**
 * Bot state in the `bot_state` table. eTags are row versions: a write carrying an older
 * version is rejected, a write with `*` or no eTag overwrites (botbuilder's semantics).
 */
export class SqliteStateStore implements StateStore, HealthCheck {
  private readonly selectOne;
  private readonly upsert;
  private readonly updateIfVersion;
  private readonly deleteOne;
  /** The file's identity when opened; undefined for an in-memory database. */
  private readonly opened: { ino: number; dev: number } | undefined;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly clock: Clock,
  ) {
    this.selectOne = db.prepare<[string], StateRow>('SELECT key, value, etag FROM bot_state WHERE key = ?');
    this.upsert = db.prepare<[string, string, string]>(
      `INSERT INTO bot_state (key, value, etag, updated_at) VALUES (?, ?, 1, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, etag = bot_state.etag + 1, updated_at = excluded.updated_at`,
    );
    this.updateIfVersion = db.prepare<[string, string, string, number]>(
      'UPDATE bot_state SET value = ?, etag = etag + 1, updated_at = ? WHERE key = ? AND etag = ?',
    );
    this.deleteOne = db.prepare<[string]>('DELETE FROM bot_state WHERE key = ?');
    this.opened = db.memory ? undefined : statSync(db.name);
  }

  async read(keys: string[]): Promise<Record<string, StoredState>> {
    const items: Record<string, StoredState> = {};
    for (const key of keys) {
      const row = this.selectOne.get(key);
      if (row) items[key] = { ...(JSON.parse(row.value) as StoredState), eTag: String(row.etag) };
    }
    return items;
  }

  async write(changes: Record<string, StoredState>): Promise<void> {
    const now = this.clock.now().toISOString();
    // All items of one write land together or not at all; concurrent turns share the commit.
    await groupCommitFor(this.db).run(() => {
      for (const [key, item] of Object.entries(changes)) {
        const { eTag, ...value } = item;
        const json = JSON.stringify(value);
        if (eTag === undefined || eTag === '*') {
          this.upsert.run(key, json, now);
          continue;
        }
        const version = Number(eTag);
        const result = Number.isInteger(version) ? this.updateIfVersion.run(json, now, key, version) : { changes: 0 };
        if (result.changes === 0) throw new EtagConflictError(key);
      }
    });
  }

  async delete(keys: string[]): Promise<void> {
    this.db.transaction(() => {
      for (const key of keys) this.deleteOne.run(key);
    })();
  }

  /**
   * Ready while the connection is open, a table reads, and the file at the database's path is still the one
   * opened: a volume unmounted, or the file deleted or replaced under the bot, leaves an open handle that still
   * answers while nothing it writes is kept where the next start will look.
   */
  async check(): Promise<void> {
    this.db.prepare('SELECT 1 FROM bot_state LIMIT 1').get();
    if (this.opened === undefined) return;
    const now = statSync(this.db.name, { throwIfNoEntry: false });
    if (!now || now.ino !== this.opened.ino || now.dev !== this.opened.dev) {
      throw new Error('the database file is no longer the one the bot opened');
    }
  }
}
