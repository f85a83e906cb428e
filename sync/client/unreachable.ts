/** A request that got no answer from the backend, said as a technician can act on it. */
import { ErrorCode, ValidatorError } from '../../src/domain/errors.ts';

/** TLS verification failures: OpenSSL's codes as Node reports them. */
const TLS_CODES = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_TLS_CERT_|ERR_SSL_)/;

/**
 * How long a request may take, and what the technician changes to allow longer: a flag or a config key,
 * whichever limited it; null when nothing can (validator enroll waits a fixed time).
 */
export interface RequestTimeout {
  readonly ms: number;
  readonly setting: string | null;
}

/** The transport's failure (axios: no HTTP answer at all) as BackendUnreachable, with what to check. */
export function backendUnreachable(e: unknown, url: string, timeout: RequestTimeout): ValidatorError {
  const code = errorCode(e);
  const host = hostOf(url);
  let said: string;
  if (code === 'ECONNREFUSED') said = `nothing answers at ${url} (connection refused): check the URL's host and port, and that the backend is running`;
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') said = `the host name ${host} does not resolve (${code}): check the URL, and this device's network and DNS`;
  else if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') {
    said = `${url} did not answer within ${timeout.ms / 1000} s: check the network${timeout.setting === null ? '' : `, or allow longer with ${timeout.setting}`}`;
  }
  else if (code === 'ENETUNREACH' || code === 'EHOSTUNREACH') said = `no route to ${host} (${code}): check this device's network connection`;
  else if (code === 'ECONNRESET' || code === 'EPIPE') said = `${url} cut the connection (${code}): is it the sync backend (https where it expects https)?`;
  else if (code !== null && TLS_CODES.test(code)) {
    said =
      `${url}'s TLS certificate is not trusted (${code}): check that the URL names the backend, and this device's clock ` +
      `(it says ${new Date().toISOString()}; a certificate is valid only between two dates)`;
  } else said = `no answer from ${url}: ${e instanceof Error ? e.message : String(e)}${code !== null ? ` (${code})` : ''}`;
  return new ValidatorError(ErrorCode.BackendUnreachable, said, { cause: e });
}

function errorCode(e: unknown): string | null {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  // axios keeps the socket's own error as the cause when its code is generic.
  const cause = (e as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof cause === 'string' ? cause : null;
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}
