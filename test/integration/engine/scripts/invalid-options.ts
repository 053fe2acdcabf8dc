// Options k6 would reject, and one it has but this engine does not: exit code 104, one line each.
export const options = {
  rps: 100,
  scenarios: {
    bad: { executor: 'constant-arrival-rate', rate: 0, timeUnit: '1s', duration: 'soon', preAllocatedVUs: 1 },
  },
  thresholds: { no_such_metric: ['count>0'], http_req_duration: ['rate<1'] },
};

export default function (): void {}
