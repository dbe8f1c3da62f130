import type { Clock } from '../../domain/ports.js';
import type { SimulatedDirectoryJournal, SimulatedUserChanges } from '../../directory/simulated-directory.js';
import { parseSimulatedChanges } from '../simulated-directory-json.js';
import { groupCommitFor } from './group-commit.js';
import type { SqliteDatabase } from './open-database.js';

interface ChangesRow {
  user_id: string;
  changes: string;
}

/**
 * The simulated directory's changes in `simulated_directory_changes`, one row per person, in the same
 * file as the requests that caused them: a restart (or a copy of the file) shows both as they were.
 */
export class SqliteSimulatedDirectoryJournal implements SimulatedDirectoryJournal {
  private readonly selectAll;
  private readonly upsert;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly clock: Clock,
  ) {
    this.selectAll = db.prepare<[], ChangesRow>('SELECT user_id, changes FROM simulated_directory_changes');
    this.upsert = db.prepare<[string, string, string]>(
      `INSERT INTO simulated_directory_changes (user_id, changes, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET changes = excluded.changes, updated_at = excluded.updated_at`,
    );
  }

  async load(): Promise<ReadonlyMap<string, SimulatedUserChanges>> {
    const loaded = new Map<string, SimulatedUserChanges>();
    for (const row of this.selectAll.all()) loaded.set(row.user_id, parseSimulatedChanges(row.user_id, row.changes));
    return loaded;
  }

  async save(userId: string, changes: SimulatedUserChanges): Promise<void> {
    const text = JSON.stringify(changes);
    await groupCommitFor(this.db).run(() => this.upsert.run(userId, text, this.clock.now().toISOString()));
  }
}
