// Ctrl-C as one user action: a copy a wrapper re-sends within the window is the same signal; a later
// one forces the stop. Signals are emitted in-process (process.emit), with a test clock.
import test from 'ava';
import { untilAborted } from '../../../kernel/sleep.ts';
import { onInterrupt } from '../../../kernel/interrupt.ts';

test.serial('a copy 35 ms later is the same Ctrl-C; a second one 800 ms later forces; SIGTERM and SIGHUP count alike', (t) => {
  let now = 1000;
  const heard: string[] = [];
  const interrupts = onInterrupt({ now: () => now, onStop: (s) => heard.push(`stop ${s}`), onForce: (s) => heard.push(`force ${s}`) });
  t.teardown(() => interrupts.dispose());
  process.emit('SIGINT', 'SIGINT');
  t.true(interrupts.stopping.aborted);
  t.is(interrupts.stopping.reason, 'SIGINT');
  now += 35;
  process.emit('SIGINT', 'SIGINT'); // tsx's re-send, npm's forward
  now += 30;
  process.emit('SIGTERM', 'SIGTERM');
  t.false(interrupts.forced.aborted, 'copies within the window do not force');
  now += 800;
  process.emit('SIGHUP', 'SIGHUP');
  t.true(interrupts.forced.aborted);
  t.deepEqual(heard, ['stop SIGINT', 'force SIGHUP']);
  t.is(interrupts.signal, 'SIGINT');
});

test.serial('dispose gives the signals back', (t) => {
  const before = process.listenerCount('SIGHUP');
  const interrupts = onInterrupt();
  t.is(process.listenerCount('SIGHUP'), before + 1);
  interrupts.dispose();
  t.is(process.listenerCount('SIGHUP'), before);
});

test('untilAborted resolves when the signal aborts, and at once when it already has', async (t) => {
  const controller = new AbortController();
  let resolved = false;
  const waiting = untilAborted(controller.signal).then(() => (resolved = true));
  await Promise.resolve();
  t.false(resolved);
  controller.abort();
  await waiting;
  t.true(resolved);
  await untilAborted(controller.signal);
  t.pass();
});
