#!/usr/bin/env node
// The test runner behind `npm test` and `npm run test:unit`; closes with a plain "N passed, N failed"
// line, which CI reads as the test count (ava's own closing line is not one it reads).
//
//   node scripts/test.mjs           lint (Biome), typecheck (harness, and the k6 scenarios against
//                                   @types/k6), then every test: test/unit and test/integration
//   node scripts/test.mjs --unit    test/unit only: Node alone, no root, no network beyond loopback
//   node scripts/test.mjs <files>   the given test files or folders, as `ava <files>`
//
// Each check counts as one test. The exit code is non-zero when a check or a test failed.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const args = process.argv.slice(2);
const unit = args[0] === '--unit';
const files = unit ? ['test/unit/'] : args;
const everything = files.length === 0;
let passed = 0;
let failed = 0;
let skipped = 0;
/** Each failed test's TAP line and the YAML block under it, printed again at the end (see below). */
const failures = [];
let current = null;

function run(command, commandArgs, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', options.stderr ?? 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8');
    if (options.onLine) createInterface({ input: child.stdout }).on('line', options.onLine);
    else child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk) => (output += chunk));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

/** A check that is not an ava test (lint, typecheck), reported as one TAP line. */
async function check(name, command, commandArgs) {
  const started = Date.now();
  const { code, output } = await run(command, commandArgs);
  if (code === 0) {
    passed++;
    process.stdout.write(`ok - ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  } else {
    failed++;
    process.stdout.write(`not ok - ${name}\n${output.trimEnd().replace(/^/gm, '  # ')}\n`);
  }
  return code;
}

let exitCode = 0;
if (everything) {
  const node = process.execPath;
  exitCode ||= await check('lint: biome check (npm run lint)', node, ['node_modules/@biomejs/biome/bin/biome', 'check', '.']);
  exitCode ||= await check('typecheck: the harness, strict (tsconfig.json)', node, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']);
  // k6 strips types and never checks them, so the scenarios are checked against @types/k6 (no Node types).
  exitCode ||= await check('typecheck: the k6 scenarios against @types/k6 (scenarios/tsconfig.json)', node, [
    'node_modules/typescript/bin/tsc',
    '-p',
    'scenarios/tsconfig.json',
  ]);
  exitCode ||= await check("typecheck: the engine's conformance scripts against @types/k6 (test/integration/engine/scripts)", node, [
    'node_modules/typescript/bin/tsc',
    '-p',
    'test/integration/engine/scripts/tsconfig.json',
  ]);
}

const ava = await run(process.execPath, ['node_modules/ava/entrypoints/cli.mjs', '--tap', ...(everything ? ['test/unit/', 'test/integration/'] : files)], {
  stderr: 'inherit',
  onLine(line) {
    process.stdout.write(`${line}\n`);
    if (current && /^ {2}/.test(line)) current.push(line);
    else current = null;
    if (/^not ok \d+/.test(line)) {
      if (/# (TODO|SKIP)/i.test(line)) skipped++;
      else {
        failed++;
        current = [line];
        failures.push(current);
      }
    } else if (/^ok \d+/.test(line)) {
      if (/# SKIP/i.test(line)) skipped++;
      else passed++;
    }
  },
});
// A long run's log is often read by its head and tail only: the failures again, each cut to its
// last lines (where an error message's cause usually is), right before the closing count.
if (failures.length > 0) {
  process.stdout.write('\nfailed:\n');
  for (const block of failures) {
    const kept = block.length > 41 ? [block[0], '  # […]', ...block.slice(-40)] : block;
    process.stdout.write(`${kept.join('\n')}\n`);
  }
}
process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exitCode = exitCode || ava.code || (failed > 0 ? 1 : 0);
