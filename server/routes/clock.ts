import { z } from 'zod';
import { IsoTime } from '../../engine/schema/event.js';
import { ApiRouter } from '../http/router.js';
import type { AppDeps } from '../http/deps.js';
import { AppError, badRequest } from '../errors.js';

const Advance = z.union([
  z.strictObject({ to: IsoTime }),
  z.strictObject({ ms: z.number().int().nonnegative().max(10 * 365 * 86_400_000) }),
]);
const ClockState = z.object({ now: z.string(), mode: z.literal('manual') });

/**
 * The time-skipping clock (SPEC §6): only with `--clock manual`. Advancing runs every wait, date
 * trigger and cron tick due on the way, in time order, before it answers.
 */
export function clockRouter(deps: AppDeps): ApiRouter {
  const clock = () => {
    if (!deps.manualClock) throw new AppError(404, 'The clock can only be read and moved when the server runs with --clock manual');
    return deps.manualClock;
  };
  return new ApiRouter('/api/clock', 'Clock')
    .op({ method: 'get', path: '/', summary: 'Read the manual clock', response: ClockState }, (c) =>
      c.json({ now: new Date(clock().now()).toISOString(), mode: 'manual' as const }))
    .op({ method: 'post', path: '/advance', summary: 'Move the manual clock forward, running everything due', body: Advance, response: ClockState }, async (c, { body }) => {
      const manual = clock();
      const to = 'to' in body ? Date.parse(body.to) : manual.now() + body.ms;
      if (to < manual.now()) throw badRequest(`The clock only moves forward: it is already ${new Date(manual.now()).toISOString()}`);
      await deps.rt.advance(to, manual);
      return c.json({ now: new Date(manual.now()).toISOString(), mode: 'manual' as const });
    });
}
