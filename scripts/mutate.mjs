#!/usr/bin/env node
// `npm run mutate [-- MODULE...] [--concurrency N]`: StrykerJS on the pure core, one module at a
// time (the modules and their tests are in stryker.config.mjs), then one line per module with its
// mutation score. Not part of `npm test`: each module takes minutes (every mutant is an ava run).
//
// The score is Stryker's: (killed + timed out) / (killed + timed out + survived + no coverage);
// mutants the TypeScript checker rejects (compile errors) do not count.
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { MODULES } from './mutate-modules.mjs';

const args = process.argv.slice(2);
let concurrency = '1';
const names = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--concurrency') concurrency = args[++i] ?? '';
  else if (args[i] === '--help' || args[i] === '-h') {
    process.stdout.write(`Usage: npm run mutate -- [MODULE...] [--concurrency N]\n\nmodules: ${Object.keys(MODULES).join(', ')} (default: all)\n`);
    process.exit(0);
  } else names.push(args[i]);
}
const unknown = names.filter((name) => !(name in MODULES));
if (unknown.length > 0 || !/^[1-9]\d*$/.test(concurrency)) {
  for (const name of unknown) process.stderr.write(`error: unknown module "${name}": choose from ${Object.keys(MODULES).join(', ')}\n`);
  if (!/^[1-9]\d*$/.test(concurrency)) process.stderr.write(`error: --concurrency: expected an integer ≥ 1, got "${concurrency}"\n`);
  process.exit(2);
}

/**
 * Stryker reuses every earlier result when the test runner reports no per-test coverage (the
 * command runner): it cannot see that the tests changed, so a mutant that survived would stay
 * "survived" after a test that kills it is added. Forget the mutants that were not detected, so
 * each run tests them again; killed, timed-out and uncompilable ones are reused while their code is
 * unchanged (tests that only grow cannot revive them; after weakening a test, delete
 * .cache/stryker/<module>/).
 */
async function forgetUndetected(name) {
  const file = `.cache/stryker/${name}/incremental.json`;
  let report;
  try {
    report = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return;
  }
  for (const entry of Object.values(report.files ?? {}))
    entry.mutants = entry.mutants.filter((mutant) => ['Killed', 'Timeout', 'CompileError'].includes(mutant.status));
  await writeFile(file, JSON.stringify(report));
}

function stryker(name) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['node_modules/@stryker-mutator/core/bin/stryker.js', 'run', 'stryker.config.mjs'], {
      stdio: 'inherit',
      env: { ...process.env, MUTATE_MODULE: name, MUTATE_CONCURRENCY: concurrency },
    });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/** Counts by status, and the score, from Stryker's JSON report (mutation-testing-report-schema). */
async function score(name) {
  const report = JSON.parse(await readFile(`.cache/stryker/${name}/mutation.json`, 'utf8'));
  const counts = {};
  for (const file of Object.values(report.files)) for (const mutant of file.mutants) counts[mutant.status] = (counts[mutant.status] ?? 0) + 1;
  const detected = (counts.Killed ?? 0) + (counts.Timeout ?? 0);
  const valid = detected + (counts.Survived ?? 0) + (counts.NoCoverage ?? 0);
  return { counts, pct: valid === 0 ? 100 : (100 * detected) / valid };
}

const lines = [];
let exitCode = 0;
for (const name of names.length > 0 ? names : Object.keys(MODULES)) {
  await forgetUndetected(name);
  const code = await stryker(name);
  if (code !== 0) {
    exitCode = code;
    lines.push(`${name}: stryker exited ${code}`);
    continue;
  }
  const { counts, pct } = await score(name);
  lines.push(
    `${name.padEnd(16)} ${pct.toFixed(1).padStart(5)} %  killed ${counts.Killed ?? 0}, timeout ${counts.Timeout ?? 0}, survived ${counts.Survived ?? 0}, no coverage ${counts.NoCoverage ?? 0}, compile errors ${counts.CompileError ?? 0}`,
  );
}
process.stdout.write(`\nmutation scores (reports in .cache/stryker/<module>/mutation.html)\n${lines.join('\n')}\n`);
process.exitCode = exitCode;
