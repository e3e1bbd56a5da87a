/** A metrics source holding one counter series (`jobs{queue="q"} 5`): what each runtime's `/metrics` gzip test serves. */
export const oneCounter = {
  metrics: {
    collect: () => ({
      temporality: 'cumulative' as const,
      time: 0,
      metrics: [{ type: 'counter' as const, name: 'jobs', help: 'Jobs', unit: '', temporality: 'cumulative' as const, points: [{ attributes: { queue: 'q' }, value: 5, startTime: 0, time: 0 }] }],
    }),
  },
};
