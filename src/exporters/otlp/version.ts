/** This package's version, sent in `User-Agent` (OTLP-12); a test keeps it equal to package.json. */
export const VERSION = '0.1.0';

export const USER_AGENT = `lexigram-monitor-otlp/${VERSION}`;
