// The SQLite bulk writer's thread (see sqlite-writer.ts). Plain JavaScript so that
// it needs no loader: it only opens its own connection and runs prepared inserts.
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';

const handle = new SQLite(workerData.file);
handle.pragma('journal_mode = WAL');
handle.pragma('synchronous = NORMAL');
handle.pragma('busy_timeout = 5000');
const statements = new Map();

function statementFor(table, columns, conflict) {
  const key = `${table}|${columns.join(',')}|${conflict ?? ''}`;
  let statement = statements.get(key);
  if (!statement) {
    statement = handle.prepare(
      `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values (${columns
        .map(() => '?')
        .join(', ')})` + (conflict ? ` on conflict ("${conflict}") do nothing` : ''),
    );
    statements.set(key, statement);
  }
  return statement;
}

parentPort.on('message', (message) => {
  if (message.type === 'close') {
    handle.close();
    parentPort.close();
    return;
  }
  const { id, table, columns, rows, conflict } = message;
  try {
    const statement = statementFor(table, columns, conflict);
    const inserted = handle.transaction(() => {
      let n = 0;
      for (const values of rows) n += statement.run(values).changes;
      return n;
    })();
    parentPort.postMessage({ id, inserted });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
