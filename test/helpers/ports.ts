// The kernel's free-port probe, for the test servers (sshd, influxd) as for the local shop.
export { freePort } from '../../kernel/ports.ts';
