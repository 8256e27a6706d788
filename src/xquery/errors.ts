/**
 * A query X would refuse with 400. `message` reads like X's error text, position included
 * ("Reference to invalid operator 'foo' (at position 1)"); `detail` is the same without the position.
 * Where X's own wording is known it is used: search answers a bad `query` with an invalid-request
 * problem whose message is "There were errors processing your request: " + this message; the stream
 * rules endpoint lists it (with a closing ".") in an invalid-rules error's `details`.
 */
export class XQuerySyntaxError extends Error {
  override name = 'XQuerySyntaxError';
  /** 1-based column of the offending character, in UTF-16 code units as JavaScript counts them. */
  readonly column: number;
  readonly detail: string;
  constructor(detail: string, column: number) {
    super(`${detail} (at position ${column})`);
    this.detail = detail;
    this.column = column;
  }
}

/** The query is longer than the caller's access level allows. */
export class XQueryTooLongError extends XQuerySyntaxError {
  override name = 'XQueryTooLongError';
  constructor(
    readonly length: number,
    readonly maxLength: number,
  ) {
    super(`Query length ${length} exceeds the maximum of ${maxLength} characters`, maxLength + 1);
  }
}

/**
 * An operator X documents but this module cannot evaluate (it needs data a tweet here does not carry:
 * places, annotations, lists). Refused rather than silently matching nothing.
 */
export class XQueryUnsupportedError extends XQuerySyntaxError {
  override name = 'XQueryUnsupportedError';
}
