/**
 * A small structural OpenMetrics 1.0 checker for tests (promtool 2.42 only parses 0.0.4):
 * metadata order and uniqueness (OM-03), no interleaving (OM-11), sample names that belong to
 * their family (OM-06, OM-07), escaping (OM-05), canonical `le`, `+Inf` == `_count` (OM-08), no
 * negative sum or quantile value (OM-08, OM-09), and the final `# EOF` (OM-02). Returns a list
 * of problems; empty means valid.
 */
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABELS = /^\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*)?\}$/s;
const NUMBER = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]Inf|NaN)$/;
const SUFFIXES: Record<string, string[]> = {
  counter: ['_total', '_created'],
  gauge: [''],
  histogram: ['_bucket', '_count', '_sum', '_created'],
  summary: ['', '_count', '_sum', '_created'],
  unknown: [''],
  info: ['_info'],
};

export function validateOpenMetrics(body: string): string[] {
  const problems: string[] = [];
  if (!body.endsWith('# EOF\n')) problems.push('does not end with "# EOF\\n" (OM-02)');
  // A raw CR inside a label value or HELP is allowed by the ABNF; a CR line ending is not.
  if (body.includes('\r\n')) problems.push('has a \\r\\n line ending (OM-01)');
  const lines = body.split('\n');
  lines.pop();
  const seenFamilies = new Set<string>();
  let family = '';
  let type = '';
  let sawSample = false;
  const meta = new Set<string>();
  const bucketsBySeries = new Map<string, string>();
  lines.forEach((line, i) => {
    const at = `line ${i + 1}: ${line}`;
    if (line === '# EOF') {
      if (i !== lines.length - 1) problems.push(`${at}: EOF before the end`);
      return;
    }
    if (line.startsWith('#')) {
      const m = /^# (TYPE|UNIT|HELP) (\S+)(?: (.*))?$/s.exec(line);
      if (!m) return void problems.push(`${at}: unknown comment (OM-03)`);
      const [, kind, name, rest = ''] = m;
      if (name !== family) {
        if (seenFamilies.has(name!)) problems.push(`${at}: family ${name} interleaved or repeated (OM-11)`);
        seenFamilies.add(name!);
        family = name!;
        type = 'unknown';
        sawSample = false;
        meta.clear();
      }
      if (sawSample) problems.push(`${at}: metadata after samples`);
      if (meta.has(kind!)) problems.push(`${at}: duplicate ${kind}`);
      meta.add(kind!);
      if (!NAME.test(name!)) problems.push(`${at}: bad family name`);
      if (kind === 'TYPE') {
        if (!(rest in SUFFIXES)) problems.push(`${at}: bad type`);
        type = rest;
      }
      if (kind === 'UNIT' && !family.endsWith('_' + rest)) problems.push(`${at}: family does not end with unit (OM-03)`);
      if (kind === 'HELP' && /(^|[^\\])(\\\\)*"/.test(rest)) problems.push(`${at}: unescaped quote in HELP (OM-05)`);
      return;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*?(?<!\\)\})? (\S+)(?: # (\{.*\}) (\S+)(?: (\S+))?)?$/s.exec(line);
    if (!m) return void problems.push(`${at}: unparsable sample`);
    const [, name, labels = '{}', value, exemplarLabels] = m;
    sawSample = true;
    const suffix = name!.startsWith(family) ? name!.slice(family.length) : undefined;
    if (suffix === undefined || !(SUFFIXES[type] ?? ['']).includes(suffix)) {
      problems.push(`${at}: sample ${name} does not belong to ${type} family ${family} (OM-06/OM-07)`);
    }
    if (!LABELS.test(labels)) problems.push(`${at}: bad label set (OM-05)`);
    if (!NUMBER.test(value!)) problems.push(`${at}: bad number (OM-10)`);
    if (exemplarLabels !== undefined && suffix !== '_bucket' && suffix !== '_total') {
      problems.push(`${at}: exemplar on a ${suffix} line`);
    }
    // Sum is a counter (OM-08, OM-09) and quantile values are not negative either.
    if ((type === 'summary' && (suffix === '' || suffix === '_sum')) || (type === 'histogram' && suffix === '_sum')) {
      if (value!.startsWith('-')) problems.push(`${at}: negative ${suffix || 'quantile'} (OM-08/OM-09)`);
    }
    if (type === 'histogram') {
      const series = labels.replace(/([{,])le="(?:[^"\\]|\\.)*"/, '$1').replace('{,', '{').replace(',}', '}');
      if (suffix === '_bucket') {
        const le = /[{,]le="([^"]*)"/.exec(labels)?.[1];
        if (le === undefined) problems.push(`${at}: bucket without le`);
        else if (!/^(\+Inf|-?\d+\.\d+|-?\d+(\.\d+)?e[+-]\d{2,})$/.test(le)) problems.push(`${at}: non-canonical le (OM-08)`);
        if (le === '+Inf') bucketsBySeries.set(family + series, value!);
      } else if (suffix === '_count') {
        const inf = bucketsBySeries.get(family + series);
        if (inf !== value) problems.push(`${at}: _count ${value} differs from +Inf bucket ${inf} (OM-08)`);
      }
    }
  });
  return problems;
}
