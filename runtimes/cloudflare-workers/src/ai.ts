import { contextStorage } from '../../../src/context/active.js';
import { clientHistogram } from '../../../src/http/server-metrics.js';
import type { Monitor } from '../../../src/monitor.js';
import { tracedCall, type BindingContext } from './binding-span.js';
import { methodProxy } from './bindings.js';
import { watchStream } from './ai-stream.js';

// GenAI metrics conventions: the operation's duration in seconds and the tokens used, with their bucket advice.
const LABELS = ['gen_ai.operation.name', 'gen_ai.provider.name', 'gen_ai.request.model'];
// (0.01 s doubling to 81.92 s; 1 token times 4 to 4^13: the exact advised values.)
const advice = (first: number, factor: number): number[] => Array.from({ length: 14 }, (_, i) => first * factor ** i);
const duration = /* @__PURE__ */ clientHistogram('gen_ai.client.operation.duration', 'GenAI operation duration.', [...LABELS, 'error.type'], /* @__PURE__ */ advice(0.01, 2));
const tokens = /* @__PURE__ */ clientHistogram('gen_ai.client.token.usage', 'Number of input and output tokens used.', [...LABELS, 'gen_ai.token.type'], /* @__PURE__ */ advice(1, 4), '{token}');

/** The numeric request settings recorded, each as `gen_ai.request.<name>`. */
const SETTINGS = ['max_tokens', 'temperature', 'top_p', 'top_k', 'seed', 'frequency_penalty', 'presence_penalty'];

/**
 * Workers AI (`env.AI.run(model, inputs, options)`): a CLIENT span `{gen_ai.operation.name} {model}`
 * with the GenAI conventions' attributes (`chat` for `messages`, `embeddings` for an embedding
 * model's (`bge`, `embed`) `text`, else `generate_content`; the numeric request settings; the
 * tokens a result's `usage` reports), and
 * `gen_ai.client.operation.duration` and `gen_ai.client.token.usage`. A streamed answer
 * (`stream: true`) is timed until its stream ends, with the usage its last events report. Prompts,
 * messages and outputs are never recorded.
 */
export function instrumentAi(bc: BindingContext, name: string, binding: object): object {
  return methodProxy(binding, (op, original) => {
    if (op !== 'run') return undefined;
    // async: a throwing getter in `inputs` rejects, as the binding's own (async) run does, never throws.
    return async (model, inputs, ...rest) => {
      if (typeof model !== 'string') return original(model, inputs, ...rest);
      const i = (inputs ?? {}) as Record<string, unknown>;
      // `text` is a translation's, a classifier's or a speech model's input too: embeddings for an embedding model's only.
      const operation = Array.isArray(i.messages) ? 'chat' : i.text !== undefined && /bge|embed/.test(model) ? 'embeddings' : 'generate_content';
      // The metrics' labels; the span has them and the request settings given.
      const labels = { 'gen_ai.operation.name': operation, 'gen_ai.provider.name': 'cloudflare.workers_ai', 'gen_ai.request.model': model };
      const attributes: Record<string, unknown> = { ...labels };
      for (const k of SETTINGS) if (typeof i[k] === 'number') attributes[`gen_ai.request.${k}`] = i[k];
      const streamed = i.stream;
      let cut = false;
      // The invocation calling (its context is current until run's first await).
      const scope = contextStorage().get()?.scope;
      return tracedCall(
        bc,
        {
          type: 'ai',
          binding: name,
          operation: op,
          name: `${operation} ${model}`,
          attributes,
          result: (v) => {
            // Chat-completions models say prompt/completion_tokens; Responses-style ones (gpt-oss) input/output_tokens.
            const usage = (v as { usage?: Record<string, unknown> } | null)?.usage;
            const input = usage?.prompt_tokens ?? usage?.input_tokens;
            const output = usage?.completion_tokens ?? usage?.output_tokens;
            const a: Record<string, unknown> = {};
            if (typeof input === 'number') a['gen_ai.usage.input_tokens'] = input;
            if (typeof output === 'number') a['gen_ai.usage.output_tokens'] = output;
            // A stream its reader cancelled: the span has what was seen, marked as the server span
            // marks a body not sent in full. No error.type, no ERROR: the app stopped reading (a
            // visitor who left), the operation did not fail, and error rates must not count it.
            if (cut) a['http.response.body.incomplete'] = true;
            return { attributes: a };
          },
          // The binding's stream (an event stream) for `stream: true`: the span ends when it does.
          later: (v, done) => {
            if (!streamed || !(v instanceof ReadableStream)) return;
            let ended: () => void;
            // The invocation is kept until then; a stream returned as the response ends after the
            // invocation's export went: its span and metrics are flushed at once, not left for the
            // isolate's next export (lost if the isolate is evicted first).
            scope?.waitUntil(new Promise<void>((r) => (ended = r)).then((): unknown => scope.closed && bc.monitor.flush()));
            return watchStream(v, bc.monitor.diag, (...a) => (done(...a), ended()), () => (cut = true));
          },
          metrics: (monitor: Monitor, seconds, errorType, facts) => {
            duration(monitor).observe(seconds, errorType ? { ...labels, 'error.type': errorType } : labels);
            const input = facts?.['gen_ai.usage.input_tokens'];
            const output = facts?.['gen_ai.usage.output_tokens'];
            if (typeof input === 'number') tokens(monitor).observe(input, { ...labels, 'gen_ai.token.type': 'input' });
            if (typeof output === 'number') tokens(monitor).observe(output, { ...labels, 'gen_ai.token.type': 'output' });
          },
        },
        () => original(model, inputs, ...rest),
      );
    };
  }, bc);
}
