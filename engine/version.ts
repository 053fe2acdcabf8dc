/** The engine's version, printed by `--version` and recorded in the summary export. */
export const ENGINE_VERSION = '0.1.0';
export const ENGINE_NAME = 'cloudlet-bench engine';
