/** An RFC 9110 token: a header name, a baggage key. */
export const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
