import { z } from 'zod';
import { ApiRouter } from '../http/router.js';
import type { AppDeps } from '../http/app.js';

const Health = z.object({ ok: z.literal(true), now: z.string(), clock: z.enum(['real', 'manual']), maps: z.number() });

/** `GET /api/health`: the server answers, with its clock and how many maps run. */
export function healthRouter(deps: AppDeps): ApiRouter {
  return new ApiRouter('/api/health', 'Health').op(
    { method: 'get', path: '/', summary: 'Check that the server runs', response: Health },
    (c) => c.json({
      ok: true as const,
      now: new Date(deps.rt.clock.now()).toISOString(),
      clock: deps.manualClock ? ('manual' as const) : ('real' as const),
      maps: deps.rt.world.maps.filter((m) => !m.paused).length,
    }),
  );
}
