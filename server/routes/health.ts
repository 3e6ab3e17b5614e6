import { z } from 'zod';
import { ApiRouter } from '../http/router.js';
import type { AppDeps } from '../http/deps.js';
import { listSubscriptions, pendingCount } from '../webhooks/store.js';

const Health = z.object({
  ok: z.literal(true), now: z.string(), clock: z.enum(['real', 'manual']), maps: z.number(),
  webhooks: z.object({
    pending: z.number().meta({ description: 'Deliveries waiting to be posted' }),
    disabled: z.array(z.object({ id: z.string(), name: z.string(), reason: z.string().nullable() })).meta({ description: 'Webhooks the sender disabled after 3 days of failures' }),
  }),
});

/** `GET /api/health`: the server answers, with its clock and how many maps run. */
export function healthRouter(deps: AppDeps): ApiRouter {
  return new ApiRouter('/api/health', 'Health').op(
    { method: 'get', path: '/', summary: 'Check that the server runs', response: Health },
    async (c) => c.json({
      ok: true as const,
      now: new Date(deps.rt.clock.now()).toISOString(),
      clock: deps.manualClock ? ('manual' as const) : ('real' as const),
      maps: deps.rt.world.maps.filter((m) => !m.paused).length,
      webhooks: {
        pending: await pendingCount(deps.rt.store.db),
        disabled: (await listSubscriptions(deps.rt.store.db)).filter((s) => s.status === 'disabled').map((s) => ({ id: s.id, name: s.name, reason: s.statusReason })),
      },
    }),
  );
}
