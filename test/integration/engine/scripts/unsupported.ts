// A module outside the engine's API: one error naming it (k6/crypto), exit code 107.
import crypto from 'k6/crypto';

export const options = { iterations: 1 };

export default function (): void {
  crypto.sha256('x', 'hex');
}
