/** Version of the built-in generator, recorded in manifests beside the k6 version when k6 runs. */
export const BUILTIN_VERSION = '0.1.0';

/** Printed on stderr once SIGINT/SIGTERM are handled, so the harness knows a signal stops it gracefully. */
export const BUILTIN_READY_LINE = 'builtin: running';
