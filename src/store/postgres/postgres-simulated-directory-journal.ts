import type { Clock } from '../../domain/ports.js';
import type { SimulatedDirectoryJournal, SimulatedUserChanges } from '../../directory/simulated-directory.js';
import { parseSimulatedChanges } from '../simulated-directory-json.js';
import type { PostgresPool } from './open-pool.js';

interface ChangesRow {
  user_id: string;
  changes: string;
}

/**
 * The simulated directory's changes in `simulated_directory_changes`, one row per person, in the same database
 * as the requests that caused them: a restart shows both as they were.
 */
export class PostgresSimulatedDirectoryJournal implements SimulatedDirectoryJournal {
  constructor(
    private readonly pool: PostgresPool,
    private readonly clock: Clock,
  ) {}

  async load(): Promise<ReadonlyMap<string, SimulatedUserChanges>> {
    const { rows } = await this.pool.query<ChangesRow>('SELECT user_id, changes FROM simulated_directory_changes');
    return new Map(rows.map((row) => [row.user_id, parseSimulatedChanges(row.user_id, row.changes)]));
  }

  async save(userId: string, changes: SimulatedUserChanges): Promise<void> {
    await this.pool.query(
      `INSERT INTO simulated_directory_changes (user_id, changes, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO UPDATE SET changes = excluded.changes, updated_at = excluded.updated_at`,
      [userId, JSON.stringify(changes), this.clock.now()],
    );
  }
}
