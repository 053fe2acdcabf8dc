// A missing binary fails the test (never skips it) with the Debian package to install.
export { requireBinary } from '../../kernel/binaries.ts';
