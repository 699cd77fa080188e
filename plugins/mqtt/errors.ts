// Connection failures in a technician's words. Node and MQTT.js report them as codes
// (ECONNREFUSED, UNABLE_TO_VERIFY_LEAF_SIGNATURE, CONNACK return code 5…); the status line says
// what is wrong and what to check, with the code kept in brackets for whoever searches for it.

/** What the message needs to know about the connection. */
export interface Where {
  /** "127.0.0.1:1883" */
  broker: string;
  host: string;
  caFile: string | null;
}

/** MQTT 3.1.1 CONNACK return codes (MQTT 5 reason codes are below). */
const CONNACK_V3: Record<number, string> = {
  1: 'does not speak this MQTT version (set the MQTT version to 3.1.1)',
  2: 'refused the client id',
  3: 'is unavailable',
  4: 'refused the login: bad user name or password',
  5: 'refused the login: not authorized',
};

/** MQTT 5 reason codes a broker gives when it refuses or ends a connection. */
const REASONS_V5: Record<number, string> = {
  0x80: 'reported an unspecified error',
  0x81: 'could not read what the recorder sent (malformed packet)',
  0x82: 'reported a protocol error',
  0x84: 'does not speak MQTT 5 (set the MQTT version to 3.1.1)',
  0x85: 'refused the client id',
  0x86: 'refused the login: bad user name or password',
  0x87: 'refused: not authorized',
  0x88: 'is unavailable',
  0x89: 'is busy',
  0x8a: 'has banned this client',
  0x8b: 'is shutting down',
  0x8c: 'refused the authentication method',
  0x8d: 'ended the connection: keep-alive timeout',
  0x8e: 'ended the connection: another client connected with the same client id',
  0x93: 'ended the connection: receive maximum exceeded',
  0x95: 'refused: a packet was too large',
  0x97: 'ended the connection: quota exceeded',
  0x98: 'ended the connection: administrative action',
  0x9c: 'asks to use another server',
  0x9d: 'has moved to another server',
  0x9f: 'refused: connecting too often',
};

/** Why the broker ended the connection, from an MQTT 5 DISCONNECT packet's reason code. */
export function describeDisconnect(reasonCode: number | undefined, w: Where): string {
  const code = reasonCode ?? 0;
  if (code === 0) return `the broker at ${w.broker} closed the connection`;
  const what = REASONS_V5[code] ?? `ended the connection (reason code ${code})`;
  return `the broker at ${w.broker} ${what}`;
}

/** A failed or lost connection, as one line; `connected`: the link had been up. */
export function describeError(e: unknown, w: Where, connected = false): string {
  const err = e as { code?: unknown; message?: unknown };
  const code = err.code;
  const message = typeof err.message === 'string' ? err.message : String(e);
  const ca = w.caFile ? `the CA in ${w.caFile}` : "the system's trusted CAs";

  if (typeof code === 'number') {
    // MQTT.js gives CONNACK refusals as numeric codes: the 3.1.1 ones are 1–5, MQTT 5's ≥ 0x80.
    // At connect time "not authorized" can only be about the login.
    const what = CONNACK_V3[code] ?? (code === 0x87 ? CONNACK_V3[5] : REASONS_V5[code]);
    return what
      ? `the broker at ${w.broker} ${what}`
      : `the broker at ${w.broker} refused the connection (code ${code})`;
  }
  switch (code) {
    case 'ECONNREFUSED':
      return `cannot reach the broker at ${w.broker} (connection refused: is it running, on this port?)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot find the broker's host ${JSON.stringify(w.host)} (no such name in DNS)`;
    case 'ETIMEDOUT':
      return `cannot reach the broker at ${w.broker} (no answer: a firewall, or the wrong address?)`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `cannot reach the broker at ${w.broker} (no route to the host: check the network)`;
    case 'ECONNRESET':
    case 'EPIPE':
      // Cut before the broker even answered: most often TLS on one side only.
      return connected
        ? `the broker at ${w.broker} dropped the connection (${code})`
        : `the broker at ${w.broker} dropped the connection at once (${code}: TLS on one side only?)`;
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'CERT_SIGNATURE_FAILURE':
      return `the broker at ${w.broker} has a certificate not signed by ${ca} (${code})`;
    case 'CERT_HAS_EXPIRED':
      return `the broker at ${w.broker} has an expired certificate (${code})`;
    case 'CERT_NOT_YET_VALID':
      return `the broker at ${w.broker} has a certificate not valid yet: is this computer's clock right? (${code})`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `the broker's certificate is not made out for ${JSON.stringify(w.host)} (${code}: connect by the name it names)`;
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'EPROTO':
      return `the broker at ${w.broker} does not speak TLS on this port (${code}: TLS off, or the TLS port?)`;
  }
  if (message === 'connack timeout')
    return `the broker at ${w.broker} did not answer the connection request (timed out)`;
  if (message === 'Keepalive timeout') return `the broker at ${w.broker} stopped answering (keep-alive timeout)`;
  return `connection to the broker at ${w.broker} failed: ${message}${typeof code === 'string' ? ` (${code})` : ''}`;
}
