/**
 * A config problem that stops start-up (or `quell config check`) with its message. Its own module
 * so features can throw it without importing the whole config schema (and every feature's
 * settings) through load.ts.
 */
export class ConfigError extends Error {}
