/**
 * Typed errors of the TopicsFlow SDK.  Branch on `code` (protocol section 8), never on
 * `message`.
 * @module
 */

/** The base class of every error the SDK throws. */
export class TopicsFlowError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * The server answered a request with an `error` frame.
 * `code` is one of the protocol's error codes (`unauthorized`, `forbidden`, `not_found`,
 * `invalid`, `conflict`, `rate_limited`, `too_large`, `unavailable`, `internal`,
 * `timeout`, `unsupported`).
 */
export class RequestError extends TopicsFlowError {
  /**
   * @param {string} code
   * @param {string} message
   * @param {{retryAfterMs?: number|null, frame?: object|null}} [details]
   */
  constructor(code, message, details = {}) {
    super(message || code);
    this.code = code;
    this.retryAfterMs = details.retryAfterMs ?? null;
    this.frame = details.frame ?? null;
  }
}

/** No reply arrived within the request timeout; the request may or may not have taken effect. */
export class RequestTimeoutError extends TopicsFlowError {
  /** @param {string} type @param {number} timeoutMs */
  constructor(type, timeoutMs) {
    super(`no reply to ${type} within ${timeoutMs} ms`);
    this.code = 'timeout';
    this.requestType = type;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * The connection was lost before the reply arrived (the request may or may not have taken
 * effect: repeat sends with the same `nonce`), or the client is closed.
 */
export class ConnectionLostError extends TopicsFlowError {
  /** @param {string} message @param {number|null} [closeCode] */
  constructor(message, closeCode = null) {
    super(message);
    this.closeCode = closeCode;
  }
}

/** A REST call answered with an error status; `code` and `message` come from its body. */
export class ApiError extends TopicsFlowError {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   * @param {object|null} [body]
   * @param {number|null} [retryAfterMs]
   */
  constructor(status, code, message, body = null, retryAfterMs = null) {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.body = body;
    this.retryAfterMs = retryAfterMs;
  }
}
