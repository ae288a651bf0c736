/**
 * Typed errors of tfe-js. Every public entry point throws one of these, with a message that
 * says what was expected and what was found. Messages carry shapes and player names, never
 * share values or plaintext.
 *
 * @example
 * ```ts
 * try { tfe.ring.matmul(a, b); } catch (e) { if (e instanceof ValueError) console.log(e.code); }
 * ```
 */
export class TfeError extends Error {
  /** A stable machine-readable code, e.g. `ERR_VALUE`. */
  readonly code: string;
  constructor(message: string, code = 'ERR_TFE') {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * An argument had the wrong shape, type or range.
 * @example
 * ```ts
 * throw new ValueError('`units` must be a positive integer, got -3');
 * ```
 */
export class ValueError extends TfeError {
  constructor(message: string) { super(message, 'ERR_VALUE'); }
}

/**
 * The operation exists in tfe-js but not for this protocol, backend or argument.
 * @example
 * ```ts
 * throw new NotImplementedError('maxPooling2d needs a protocol with exact comparison: use SecureNN or ABY3');
 * ```
 */
export class NotImplementedError extends TfeError {
  constructor(message: string) { super(message, 'ERR_NOT_IMPLEMENTED'); }
}

/**
 * A protocol invariant was violated (bad message, out-of-range value in debug mode, ...).
 * @example
 * ```ts
 * throw new ProtocolError('truncate: value out of the range |x| < 2^62 in op `matmul`');
 * ```
 */
export class ProtocolError extends TfeError {
  constructor(message: string) { super(message, 'ERR_PROTOCOL'); }
}

/**
 * A player's policy (`tfe player --policy`) refused an instruction. The message names the
 * player and the rule (`load`, `write`, `loaders`, `sinks`, `revealRawInputs`), never file
 * content. A subclass of {@link ProtocolError}, with its own code `ERR_POLICY`.
 * @example
 * ```ts
 * throw new PolicyError('player `server0` refuses to reveal a raw input to the driver (policy rule `revealRawInputs`)', 'revealRawInputs');
 * ```
 */
export class PolicyError extends ProtocolError {
  /** The policy rule that refused (`load`, `write`, `loaders`, `sinks`, `revealRawInputs`). */
  readonly rule?: string;
  constructor(message: string, rule?: string) {
    super(message);
    (this as { code: string }).code = 'ERR_POLICY';
    this.rule = rule;
  }
}

/**
 * A player died, a socket closed, or a peer did not answer in time. Names the player and its
 * address.
 * @example
 * ```ts
 * throw new CommunicationError('player `server1` at 127.0.0.1:4441 did not answer within 30000 ms', 'server1');
 * ```
 */
export class CommunicationError extends TfeError {
  /** The player at fault, when known. */
  readonly player?: string;
  /** Its address, when known. */
  readonly address?: string;
  constructor(message: string, player?: string, address?: string) {
    super(message, 'ERR_COMMUNICATION');
    this.player = player;
    this.address = address;
  }
}
