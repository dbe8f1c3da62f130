import type { Clock, HealthCheck, StateStore, StoredState } from '../../domain/ports.js';
import { EtagConflictError } from '../../errors.js';
import { withTransaction, type PostgresPool } from './open-pool.js';

interface StateRow {
  key: string;
  value: string;
  etag: number;
}

/**
 * Bot state in the `bot_state` table, shared by every instance. eTags are row versions: a write carrying an
 * older version is rejected, a write with `*` or no eTag overwrites (botbuilder's semantics). The version check
 * is part of the UPDATE, so of two instances writing the same version at once the second finds it changed.
 */
export class PostgresStateStore implements StateStore, HealthCheck {
  constructor(
    private readonly pool: PostgresPool,
    private readonly clock: Clock,
  ) {}

  async read(keys: string[]): Promise<Record<string, StoredState>> {
    const { rows } = await this.pool.query<StateRow>('SELECT key, value, etag FROM bot_state WHERE key = ANY($1)', [
      keys,
    ]);
    const items: Record<string, StoredState> = {};
    for (const row of rows) items[row.key] = { ...(JSON.parse(row.value) as StoredState), eTag: String(row.etag) };
    return items;
  }

  async write(changes: Record<string, StoredState>): Promise<void> {
    const now = this.clock.now();
    // All items of one write land together or not at all.
    await withTransaction(this.pool, async (client) => {
      for (const [key, item] of Object.entries(changes)) {
        const { eTag, ...value } = item;
        const json = JSON.stringify(value);
        if (eTag === undefined || eTag === '*') {
          await client.query(
            `INSERT INTO bot_state (key, value, etag, updated_at) VALUES ($1, $2, 1, $3)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, etag = bot_state.etag + 1,
               updated_at = excluded.updated_at`,
            [key, json, now],
          );
          continue;
        }
        const version = Number(eTag);
        const result = Number.isInteger(version)
          ? await client.query(
              'UPDATE bot_state SET value = $1, etag = etag + 1, updated_at = $2 WHERE key = $3 AND etag = $4',
              [json, now, key, version],
            )
          : { rowCount: 0 };
        if (result.rowCount === 0) throw new EtagConflictError(key);
      }
    });
  }

  async delete(keys: string[]): Promise<void> {
    await this.pool.query('DELETE FROM bot_state WHERE key = ANY($1)', [keys]);
  }

  /** Ready while a connection can be had and a table reads (a connection is opened if none is idle). */
  async check(): Promise<void> {
    await this.pool.query('SELECT 1 FROM bot_state LIMIT 1');
  }
}
