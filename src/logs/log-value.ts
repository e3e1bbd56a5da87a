/**
 * What a log value written as text of another type is reported as (a message, an attribute, a
 * Logs API body): a BigInt past 2^53 or an invalid Date, which `sanitizeAny` flags in
 * `cut.converted` at any depth, and a function or symbol given as the message.
 */
export const CONVERTED = 'a log value of no log type (a function or symbol as the message, a BigInt past 2^53, an invalid Date) was written as text';
