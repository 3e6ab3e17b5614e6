// The background checkpointer's thread (see checkpointer.ts): its own connection to the database
// file, copying what the writer committed to the write-ahead log back into the database, so the
// writer's commits never do it themselves. Plain JavaScript: a worker thread starts without a loader.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file, durable, everyMs } = workerData;
const db = new Database(file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
// The checkpoint syncs as the writer's commits would have: the log before, the database after.
db.pragma(`synchronous = ${durable ? 'FULL' : 'NORMAL'}`);
let frames = 0;
let checkpoints = 0;
let timer;

function checkpoint() {
  timer = undefined;
  try {
    // PASSIVE: copies what no reader still needs and never waits for the writer or readers.
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    if (row.checkpointed > 0) {
      frames += row.checkpointed;
      checkpoints++;
      parentPort.postMessage({ frames, checkpoints });
    }
  } catch (err) {
    // Busy or locked: the next turn tries again; the writer's own autocheckpoint is the backstop.
    parentPort.postMessage({ error: String(err?.message ?? err) });
  }
  timer = setTimeout(checkpoint, everyMs);
}

parentPort.on('message', (msg) => {
  if (msg !== 'stop') return;
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
timer = setTimeout(checkpoint, everyMs);
