/** Version of the built-in generator, recorded in manifests beside the k6 version when k6 runs. */
export const BUILTIN_VERSION = '0.1.0';
