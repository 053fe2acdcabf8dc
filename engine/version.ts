/** The engine's version, printed by `--version` and recorded in the summary export. */
export const ENGINE_VERSION = '0.1.0';
export const ENGINE_NAME = 'cloudlet-bench engine';

/** Set in the engine's environment, it prints READY_LINE on stderr once signals are handled (the harness waits for it). */
export const READY_ENV = 'CLOUDLET_ENGINE_READY_LINE';
export const READY_LINE = 'engine: signals handled';
