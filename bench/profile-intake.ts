/** Profiles the server side of event intake: `node --cpu-prof --import tsx bench/profile-intake.ts [events]`. */
import { intake } from './intake.js';
console.log(await intake(Number(process.argv[2] ?? 20_000), 0.5));
