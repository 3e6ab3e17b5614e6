/** Profiles one decay tick: `node --cpu-prof --import tsx bench/profile-decay.ts [N]`. */
import { decayTick } from './decay-tick.js';
console.log(await decayTick(Number(process.argv[2] ?? 50_000)));
