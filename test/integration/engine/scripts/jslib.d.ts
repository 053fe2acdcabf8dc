// The one remote module the engine stands in for (k6 fetches it; its types are not in @types/k6).
declare module 'https://jslib.k6.io/k6-summary/0.1.0/index.js' {
  export function textSummary(data: unknown, options?: { indent?: string; enableColors?: boolean }): string;
}
