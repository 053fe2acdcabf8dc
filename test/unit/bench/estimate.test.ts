import test from 'ava';
import { remainingEstimateS } from '../../../bench/plan.ts';

test('time left: the plan before any point; after, the plan of the rest at the pace the run has shown', (t) => {
  t.is(remainingEstimateS(0, 0, 300), 300);
  t.is(remainingEstimateS(0, 12, 300), 300, 'nothing planned done yet (a resume): the plan');
  // Two points planned at 60 s each took 150 s (state resets): the last two take 2.5 times theirs too.
  t.is(remainingEstimateS(120, 150, 120), 150);
  // A run faster than planned says so.
  t.is(remainingEstimateS(100, 50, 80), 40);
});
