/**
 * An order book that cannot be used at start (unreachable database, missing schema, bad
 * orders file): the message is one line for the user, naming the variable and the fix.
 */
export class OrderBookStartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OrderBookStartupError';
  }
}
