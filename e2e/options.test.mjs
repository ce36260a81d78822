// Options (issue 28) on a throw-away 1-second chain: the council opens BTC-USD to options and lists
// a call and a put (and a binary put), a trader buys calls through an order, the price rises, the
// calls expire in the money and the payout lands in her margin collateral; another buys binary
// puts that expire worthless, and the vault keeps their premium. Every bUSD is accounted for.
//
// A listed series expires on the governed grid (by default daily at 08:00 UTC, so a weekly series
// is a daily one seven days out); the council sets a one-minute grid here so that the test sees
// an expiry.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  COUNCIL_AYES, FIXED, connect, councilMotion, devAccounts, feederRounds, nextExpiry, optionOrderOutcome,
  optionSeries, placeOptionOrder, registerOperators, signAndWait, startDevNode, startFeeder, untilEachBlock, waitBest,
} from './lib.mjs';

const BUSD = 1_000_000n;
const BTC = 0;
const log = (line) => console.log(`[options ${new Date().toISOString().slice(11, 19)}] ${line}`);

describe('options written by the BTC-USD vault', { timeout: 600_000 }, () => {
  const acc = devAccounts();
  let node;
  let api;
  let feeder;

  before(async () => {
    node = await startDevNode({ name: 'options' });
    api = await connect(node.url);
  });

  after(async () => {
    if (feeder) {
      feeder.stopped = true;
      await feeder.done;
    }
    if (api) await api.disconnect().catch(() => {});
    if (node) await node.stop();
  });

  const collateral = async (who) => {
    const account = await api.query.margin.accounts(who.address);
    return account.isSome ? account.unwrap().collateral.toBigInt() : 0n;
  };
  const vaultNav = async () => (await api.call.vaultsApi.vault(BTC)).nav.toBigInt();
  /** The `PaidOut` event of `who`, read block by block from `from` (at most 400 blocks on). */
  const paidOut = async (from, who) => {
    for (let block = from; block <= from + 400; block++) {
      await waitBest(api, block, 60_000);
      const hash = await api.rpc.chain.getBlockHash(block);
      const events = (await api.query.system.events.at(hash)).map(({ event }) => event);
      const paid = events.find((e) => e.section === 'options' && e.method === 'PaidOut' && e.data.who.toString() === who.address);
      if (paid) return paid;
    }
    throw new Error(`no PaidOut for ${who.address}`);
  };

  it('a call expires in the money into collateral; a binary put expires worthless to the vault', async () => {
    assert.equal((await signAndWait(api, api.tx.vaults.stake(BTC, 100_000n * BUSD, 0), acc.dave)).error, null);
    const operators = [acc.alice, acc.bob, acc.charlie];
    await registerOperators(api, operators, operators.map(() => 100_000n * BUSD), BTC);
    feeder = startFeeder(api, operators, BTC);
    await feederRounds(api, feeder, 2, 'BTC priced');

    // The council: a one-minute expiry grid with a 6 s settlement window, BTC-USD open with a
    // strike tick of 5, then the series expiring on the grid a minute and a half from now.
    // Four of the five council members (Dave and Eve propose and close; Alice and Bob, also
    // feeding, race the feeder for nonces, which `councilMotion` handles).
    const ayes = [acc.dave, acc.eve, acc.alice, acc.bob].slice(0, COUNCIL_AYES);
    const params = { ...(await api.query.options.params()).toJSON(), expiryGrid: 60_000, expiryOffset: 0, settlementWindow: 6_000, settlementTimeout: 60_000 };
    for (const tx of [api.tx.options.setParams(params), api.tx.options.enableMarket(BTC, 5n * FIXED)]) {
      const { result } = await councilMotion(api, tx, ayes);
      assert.ok(result.isOk, `${tx.method.method}: ${result.toString()}`);
    }
    const expiry = await nextExpiry(api, 90_000, params);
    for (const kind of ['Call', 'Put', 'BinaryPut']) {
      const { result } = await councilMotion(api, api.tx.options.listSeries(BTC, expiry, 100n * FIXED, kind), ayes);
      assert.ok(result.isOk, `listSeries ${kind}: ${result.toString()}`);
    }
    const listed = await optionSeries(api, BTC);
    assert.deepEqual(listed.map((s) => [s.kind, s.strike]), [['Call', 100], ['Put', 100], ['BinaryPut', 100]]);
    assert.ok(listed.every((s) => s.trading && s.modelPrice > 0 && s.impliedVol >= s.baseVol), JSON.stringify(listed));
    const [call, , binaryPut] = listed.map((s) => s.series);
    log(`listed ${listed.map((s) => `${s.kind} ${s.strike} @ ${s.modelPrice.toFixed(4)}`).join(', ')}, expiry ${listed[0].expiry}`);

    // Eve buys 5 calls, Ferdie 20 binary puts (1 bUSD each if BTC ends below 100), each through an order from margin collateral.
    const navBefore = await vaultNav();
    const buys = [];
    for (const [name, who, series, contracts, limit] of [['Eve', acc.eve, call, 5n, 20n], ['Ferdie', acc.ferdie, binaryPut, 20n, 1n]]) {
      assert.equal((await signAndWait(api, api.tx.margin.deposit(1_000n * BUSD), who)).error, null);
      const { error, placed } = await placeOptionOrder(api, who, series, contracts * FIXED, limit * FIXED);
      assert.equal(error, null);
      const outcome = await optionOrderOutcome(api, who, placed);
      assert.equal(outcome.method, 'Traded', outcome.toString());
      const amount = outcome.data.amount.toBigInt();
      const fee = outcome.data.fee.toBigInt();
      assert.equal(await collateral(who), 1_000n * BUSD - amount - fee);
      buys.push({ who, amount, fee });
      log(`${name} bought ${contracts} of series ${series} for ${Number(amount) / 1e6} bUSD + fee ${Number(fee) / 1e6}`);
    }
    const exposure = (await api.call.optionsApi.vaultExposure(BTC)).unwrap();
    // Short calls (negative delta) and short binary puts (positive delta, large this near expiry).
    assert.ok(exposure.writtenValue.toBigInt() > 0n && exposure.netDelta.toBigInt() !== 0n, exposure.toString());
    const holdings = await api.call.optionsApi.account(acc.eve.address);
    assert.equal(holdings.length, 1);
    assert.equal(holdings[0].contracts.toBigInt(), 5n * FIXED);
    log(`the vault wrote ${Number(exposure.writtenValue.toBigInt()) / 1e6} bUSD of options; NAV ${Number(navBefore) / 1e6} -> ${Number(await vaultNav()) / 1e6}`);

    // The price rises to 108 and stays there through expiry.
    feeder.price = 108n;
    const from = (await api.rpc.chain.getHeader()).number.toNumber();
    const eve = await paidOut(from, acc.eve);
    const ferdie = await paidOut(from, acc.ferdie);
    assert.equal(eve.data.payout.toBigInt(), 5n * 8n * BUSD, 'five calls struck 100 settle at 108');
    assert.equal(ferdie.data.payout.toBigInt(), 0n, 'the binary put struck 100 expires worthless');
    assert.equal(await collateral(acc.eve), 1_000n * BUSD - buys[0].amount - buys[0].fee + 40n * BUSD);
    assert.equal(await collateral(acc.ferdie), 1_000n * BUSD - buys[1].amount - buys[1].fee);
    // The settled series are gone; the vault kept the binary puts' premium and paid the calls' 40.
    await untilEachBlock(api, async () => (await optionSeries(api, BTC)).length === 0, 60_000, 'the settled series removed');
    assert.equal((await api.call.optionsApi.vaultExposure(BTC)).unwrap().writtenValue.toBigInt(), 0n);
    const share = (fee) => fee / 5n; // the insurance fund's 20%, rounded down
    const kept = buys.reduce((sum, b) => sum + b.amount + b.fee - share(b.fee), 0n) - 40n * BUSD;
    const held = (await api.call.vaultsApi.vault(BTC)).nav.toBigInt();
    assert.equal(held, navBefore + kept, 'the vault: its stake, the premiums and fee shares, less the payout');
    log(`Eve paid 40 bUSD, Ferdie 0: the vault's NAV moved by ${Number(kept) / 1e6} bUSD (premiums and fee shares less the payout)`);
  });
});
