import test from 'ava';
import { CooldownGate } from '../../../bench/cooldown.ts';
import { hottestTempC } from '../../../rundir/node-sample.ts';
import type { NodeSample } from '../../../rundir/types.ts';

function sample(node: string, timeMs: number, temps: (number | null)[], batteryTempC: number | null = null): NodeSample {
  return {
    node,
    timeMs,
    nodeTimeMs: timeMs,
    clockOffsetMs: 0,
    pointId: null,
    cpuPct: 10,
    cores: [],
    load1: 0,
    memTotalKB: 1,
    memAvailableKB: 1,
    thermal: temps.map((tempC, i) => ({ zone: `thermal_zone${i}`, type: `t${i}`, tempC })),
    batteryTempC,
    throttled: false,
  };
}

test('the hottest reading counts, the battery included; no readings is null', (t) => {
  t.is(hottestTempC(sample('a', 0, [41, null, 55.5])), 55.5);
  t.is(hottestTempC(sample('a', 0, [41], 47)), 47);
  t.is(hottestTempC(sample('a', 0, [null])), null);
});

test('the gate opens only when every node reported since it began and all are below the limit', (t) => {
  const gate = new CooldownGate(['a', 'b'], 60);
  gate.update(sample('a', 100, [50]));
  t.deepEqual(gate.verdict(50), { open: false, waitingFor: ['b'], hottest: null });
  gate.update(sample('b', 120, [72]));
  t.deepEqual(gate.verdict(50), { open: false, waitingFor: [], hottest: { node: 'b', tempC: 72 } });
  gate.update(sample('b', 140, [59.9]));
  t.true(gate.verdict(50).open);
  // A reading from before the gate began does not count.
  t.deepEqual(gate.verdict(130).waitingFor, ['a']);
});
