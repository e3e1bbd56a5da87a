// Cost per request in workerd of ways to learn when a response body has been sent (in-isolate loop).
// Run: node bench/profile/body-streams.mjs
import { Miniflare } from 'miniflare';
const script = `
function body() { return new Response(JSON.stringify({ ok: true, items: [1,2,3] }), { headers: { 'content-type': 'application/json' } }); }
const variants = {
  plain: async () => body(),
  pull: async () => {
    const r = body(); const reader = r.body.getReader(); let done;
    const p = new Promise((res) => (done = res));
    const s = new ReadableStream({ async pull(c) { const { done: end, value } = await reader.read(); if (end) { c.close(); done(); } else c.enqueue(value); } });
    return [new Response(s, { status: r.status, headers: r.headers }), p];
  },
  identity: async () => {
    const r = body(); const t = new IdentityTransformStream();
    const p = r.body.pipeTo(t.writable);
    return [new Response(t.readable, { status: r.status, headers: r.headers }), p];
  },
  transform: async () => {
    const r = body(); let done; const p = new Promise((res) => (done = res));
    const s = r.body.pipeThrough(new TransformStream({ flush() { done(); } }));
    return [new Response(s, { status: r.status, headers: r.headers }), p];
  },
};
export default { async fetch(req) {
  const u = new URL(req.url); const v = variants[u.searchParams.get('v')]; const n = 3000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) { let r = await v(); let p; if (Array.isArray(r)) [r, p] = r; await r.text(); if (p) await p; }
  return new Response(String((performance.now() - t0) * 1000 / n));
} };`;
const mf = new Miniflare({ modules: true, script, compatibilityDate: '2026-04-01', compatibilityFlags: ['nodejs_compat'] });
for (let round = 0; round < 3; round++) for (const v of ['plain', 'pull', 'identity', 'transform']) console.log(round, v, (+(await (await mf.dispatchFetch('http://x/?v=' + v)).text())).toFixed(1), 'µs');
await mf.dispose();
