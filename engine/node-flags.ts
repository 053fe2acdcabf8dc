/**
 * The flags of the node process that runs the engine. Every place that starts it passes them: the
 * `npm run engine` script (package.json), the bench harness (bench/load/generator.ts), the benchmark
 * (engine/perf/tools.ts), and the example generator command in README.md. They are V8 flags, so they
 * must be on the command line: a Worker's execArgv cannot take them, and NODE_OPTIONS refuses them.
 *
 * `--single-threaded-gc`: each isolate collects its own garbage on its own thread, with no parallel
 * or concurrent helper tasks. The engine's workers are pinned one to a core or share cores with a
 * system under test, so the helpers could not run beside the worker anyway; they ran on the worker's
 * core (at nice 10), and an arrival due meanwhile waited for them. Measured on the benchmark's idle
 * core at 1,000/s, alternating with and without it (engine/README.md, "Single-threaded garbage
 * collection"): schedule error p99 lower in 11 of 13 pairs, the same CPU.
 */
export const ENGINE_NODE_FLAGS = ['--single-threaded-gc'] as const;
