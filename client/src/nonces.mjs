// A signer's next nonces, planned locally so that many transactions of one key land in one block,
// and read again from the node (`system_accountNextIndex`, which counts the pool) whenever a
// submission is refused or every `resyncEvery` blocks: a nonce advanced past a refused submission
// would leave every later transaction of that key waiting for it forever.

export class NonceBook {
  /**
   * `readNext(address)` resolves the node's next nonce of `address` (`api.rpc.system.accountNextIndex`).
   */
  constructor(readNext, { resyncEvery = 20 } = {}) {
    this.readNext = readNext;
    this.resyncEvery = resyncEvery;
    this.next = new Map();
    this.stale = new Set();
    this.resyncedAt = new Map();
  }

  /** The nonce to use now for `address` (read from the node the first time and after `invalidate`), then advanced. */
  async take(address) {
    if (!this.next.has(address) || this.stale.has(address)) await this.resync(address);
    const nonce = this.next.get(address);
    this.next.set(address, nonce + 1);
    return nonce;
  }

  /** Reads `address`'s next nonce from the node. */
  async resync(address, block = null) {
    this.next.set(address, Number(await this.readNext(address)));
    this.stale.delete(address);
    if (block !== null) this.resyncedAt.set(address, block);
  }

  /** A submission of `address` was refused or lost: the next `take` reads the node again. */
  invalidate(address) {
    this.stale.add(address);
  }

  /** At each new block: addresses not read for `resyncEvery` blocks are read at their next `take`. */
  onBlock(number) {
    for (const address of this.next.keys()) {
      const at = this.resyncedAt.get(address);
      if (at === undefined) {
        this.resyncedAt.set(address, number);
      } else if (number - at >= this.resyncEvery) {
        this.stale.add(address);
        this.resyncedAt.set(address, number);
      }
    }
  }
}
