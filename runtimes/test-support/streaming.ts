/**
 * A server-sent-events response that never ends, as a live SSE endpoint: one event at once, then
 * the stream stays open (see sigtermStreamingScenario in sigterm.ts).
 */
export function neverEndingEvents(): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('data: hello\n\n'));
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
}
