import { z } from 'zod';
import { ApiRouter } from '../http/router.js';
import type { AppDeps } from '../http/deps.js';
import { AppError, badRequest } from '../errors.js';

/** Where to move the clock: to a time, or forward by milliseconds. Either, not both. */
const Advance = z.union([
  z.strictObject({ to: z.iso.datetime({ offset: true, message: 'a time with its zone, like "2026-01-31T09:00:00Z"' }) }),
  z.strictObject({ ms: z.number({ message: 'a number of milliseconds, like 86400000 for a day' }).int('a whole number of milliseconds').nonnegative('0 or more: the clock only moves forward').max(10 * 365 * 86_400_000, 'at most ten years (315360000000) at a time') }),
]).meta({ description: '`{ "to": "2026-01-31T09:00:00Z" }` or `{ "ms": 86400000 }`' });
const ClockState = z.object({ now: z.string(), mode: z.literal('manual') });

/**
 * The time-skipping clock (SPEC §6): only with `--clock manual`. Advancing runs every wait, date
 * trigger and cron tick due on the way, in time order, before it answers.
 */
export function clockRouter(deps: AppDeps): ApiRouter {
  const clock = () => {
    if (!deps.manualClock) throw new AppError(404, 'This server runs on the real clock, which cannot be read or moved here: start it with --clock manual to move time by hand');
    return deps.manualClock;
  };
  return new ApiRouter('/api/clock', 'Clock')
    .op({ method: 'get', path: '/', summary: 'Read the manual clock', response: ClockState }, (c) =>
      c.json({ now: new Date(clock().now()).toISOString(), mode: 'manual' as const }))
    .op({ method: 'post', path: '/advance', role: 'admin', summary: 'Move the manual clock forward, running everything due', body: Advance, response: ClockState }, async (c, { body }) => {
      const manual = clock();
      const to = 'to' in body ? Date.parse(body.to) : manual.now() + body.ms;
      if (to < manual.now()) throw badRequest(`The clock only moves forward: it is already ${new Date(manual.now()).toISOString()}`);
      await deps.rt.advance(to, manual);
      return c.json({ now: new Date(manual.now()).toISOString(), mode: 'manual' as const });
    });
}
