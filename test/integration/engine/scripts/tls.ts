// HTTPS: insecureSkipTLSVerify accepts a self-signed certificate; without it the request fails with
// k6's TLS error codes (1300–1399). The tls_version tag and res.tls_version are set.
import { check } from 'k6';
import http from 'k6/http';

export const options = { iterations: 1, insecureSkipTLSVerify: __ENV.INSECURE === 'yes' };

export default function (): void {
  const res = http.get(`${__ENV.BASE_URL}/ok`);
  if (__ENV.INSECURE === 'yes') check(res, { 'https answered': (r) => r.status === 200 && r.body === 'ok' && r.tls_version.startsWith('tls1.') });
  else check(res, { 'certificate refused': (r) => r.status === 0 && r.error_code >= 1300 && r.error_code < 1400 });
}
