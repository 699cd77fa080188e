/** A request's failure with the contract's error code (the window shows the message as is). */
export class ContractError extends Error {
  constructor(
    message: string,
    readonly code: 'bad-request' | 'not-found' | 'failed',
  ) {
    super(message);
  }
}
