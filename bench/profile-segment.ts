/**
 * Profiles the server side of one intake door (the servers run in this process; the client is
 * another): `node --cpu-prof --import tsx bench/profile-segment.ts <events|v1> [events] [visitors]`.
 * With `v1` and visitors, the merge figure runs after the workload.
 */
import { scratch } from './common.js';
import { runDoor, type Door } from './segment.js';

const door = (process.argv[2] ?? 'v1') as Door;
const tmp = scratch();
try {
  const r = await runDoor(tmp.file('profile.db'), door, Number(process.argv[3] ?? 20_000), Number(process.argv[4] ?? 0));
  console.log({ door, ms: r.ms, cpuMs: r.cpuMs, merges: r.merges });
} finally {
  tmp.remove();
}
