/**
 * Compiled by `npm run typecheck` (test/tsconfig.json: no @cloudflare/workers-types): without the
 * platform's types, and without a `satisfies`, the handlers' parameters are the library's own
 * types, which are the platform's shapes, so the same valid Workers calls compile
 * (test/handler-types.test.ts checks them with workers-types).
 */
import { instrument, type ScheduledController } from '../index.js';

interface Env {
  GREETING: string;
}

export const worker = instrument(
  {
    async scheduled(controller, env, ctx) {
      controller.noRetry();
      ctx.waitUntil(Promise.resolve(env));
    },
    async email(message) {
      const subject = message.headers.get('subject');
      if (!subject) return message.setReject('no subject');
      await message.forward('team@example.com', new Headers({ 'x-seen': '1' }));
      await message.raw.getReader().cancel();
    },
    async tail(events) {
      for (const e of events) console.log(e.event?.request?.url, e.logs.length, e.exceptions[0]?.message, e.outcome);
    },
    async queue(batch) {
      for (const m of batch.messages) m.retry({ delaySeconds: 5 });
      console.log(batch.metadata?.metrics.backlogCount);
    },
    async fetch(request, env, ctx, { monitor }) {
      monitor.logger.info('hit');
      ctx.passThroughOnException();
      return new Response(env.GREETING);
    },
  },
  (env: Env) => ({ serviceName: 'api', backends: [] }),
);

// In a test, the instrumented handlers take the platform's event (noRetry included) and a stub ctx.
const controller: ScheduledController = { cron: '* * * * *', scheduledTime: 0, noRetry() {} };
export const ran = worker.scheduled(controller, { GREETING: 'hi' }, { waitUntil() {} });
