#!/usr/bin/env node
// Runs ava with the TAP reporter and closes with a plain "N passed, N failed" line, which CI reads
// as the test count (ava's own closing line is not one it reads). Keeps ava's exit code.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const ava = spawn(process.execPath, ['node_modules/ava/entrypoints/cli.mjs', '--tap', ...process.argv.slice(2)], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
let passed = 0;
let failed = 0;
let skipped = 0;
const lines = createInterface({ input: ava.stdout });
lines.on('line', (line) => {
  process.stdout.write(`${line}\n`);
  if (/^not ok \d+/.test(line)) {
    if (/# (TODO|SKIP)/i.test(line)) skipped++;
    else failed++;
  } else if (/^ok \d+/.test(line)) {
    if (/# SKIP/i.test(line)) skipped++;
    else passed++;
  }
});
ava.on('close', (code, signal) => {
  process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  process.exitCode = code ?? (signal ? 1 : 0);
  if (code === 0 && failed > 0) process.exitCode = 1;
});
