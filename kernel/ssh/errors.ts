/**
 * What can go wrong reaching a node, one class per thing the user does next. All are
 * EnvironmentErrors (exit 2, one line); `cause` keeps ssh2's own error.
 */
import { EnvironmentError } from '../errors.ts';

/** The node refused every key we offered. */
export class SshAuthError extends EnvironmentError {
  override name = 'SshAuthError';
}

/** The node's host key differs from known_hosts: never accepted, whatever the options. */
export class SshHostKeyChangedError extends EnvironmentError {
  override name = 'SshHostKeyChangedError';
}

/** The node is not in known_hosts and accepting new keys was not asked for. */
export class SshHostKeyUnknownError extends EnvironmentError {
  override name = 'SshHostKeyUnknownError';
}

/** No TCP connection or no SSH handshake within the timeout. Worth retrying. */
export class SshUnreachableError extends EnvironmentError {
  override name = 'SshUnreachableError';
}

/** Retrying cannot help with these; the others may clear up (a node rebooting, Wi-Fi). */
export function isPermanentSshError(error: unknown): boolean {
  return error instanceof SshAuthError || error instanceof SshHostKeyChangedError || error instanceof SshHostKeyUnknownError;
}
