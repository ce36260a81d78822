// The margin engine on the dev chain (issue 11), tried as a new user would: a staker backs the
// BTC-USD vault, three operators price it, a trader deposits bUSD, opens a long with
// `api.tx.margin.trade`, reads its health with `api.call.marginApi.account`, and after the oracle
// price rises closes at a profit the vault pays, then withdraws it. No custom types.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  FIXED, connect, devAccounts, findEvent, registerOperators, signAndWait, startDevNode, submitRound, waitBest,
} from './lib.mjs';

const BUSD = 1_000_000n;
const BTC = 0;

describe('margin trading on the dev chain', { timeout: 600_000 }, () => {
  let node;
  let api;
  const acc = devAccounts();
  const operators = [acc.alice, acc.bob, acc.charlie];
  const trader = acc.eve;

  before(async () => {
    node = await startDevNode({ port: 9988, name: 'margin' });
    api = await connect(node.url);
    const staked = await signAndWait(api, api.tx.vaults.stake(BTC, 100_000n * BUSD, 0), acc.dave);
    assert.equal(staked.error, null);
    await registerOperators(api, operators, operators.map(() => 1_000n * BUSD), BTC);
  });

  after(async () => {
    if (api) await api.disconnect();
    if (node) await node.stop();
  });

  it('lists the genesis markets as enabled for trading', async () => {
    const market = (await api.call.marginApi.market(BTC)).unwrap();
    assert.equal(market.longOpenInterest.toBigInt(), 0n);
    assert.equal(market.params.baseImf.toBigInt(), FIXED / 20n, 'base imf 5%');
  });

  it('deposits, opens a long and reads the account through the runtime API', async () => {
    await submitRound(api, operators, BTC, [100n, 100n, 100n]);
    const deposited = await signAndWait(api, api.tx.margin.deposit(1_000n * BUSD), trader);
    assert.equal(deposited.error, null);
    assert.ok(findEvent(deposited.events, 'margin', 'Deposited'));

    const quote = (await api.call.marginApi.quote(trader.address, BTC, 10n * FIXED)).asOk;
    // fill = 100 x (1 + 10 / 20,000) = 100.05; taker fee 0.06% of 1,000.5 = 0.6003 bUSD.
    assert.equal(quote.fillPrice.toBigInt(), 10_005n * FIXED / 100n);
    assert.equal(quote.fee.toBigInt(), 600_300n);

    const traded = await signAndWait(api, api.tx.margin.trade(BTC, 10n * FIXED, 101n * FIXED), trader);
    assert.equal(traded.error, null);
    const event = findEvent(traded.events, 'margin', 'Traded');
    assert.equal(event.data.fillPrice.toBigInt(), 10_005n * FIXED / 100n);
    assert.equal(event.data.sizeAfter.toBigInt(), 10n * FIXED);

    const account = (await api.call.marginApi.account(trader.address)).unwrap();
    assert.equal(account.collateral.toBigInt(), 1_000n * BUSD - 600_300n);
    assert.equal(account.positions.length, 1);
    const position = account.positions[0];
    assert.equal(position.market.toNumber(), BTC);
    assert.equal(position.signedSize.toBigInt(), 10n * FIXED);
    assert.equal(position.entryPrice.toBigInt(), 10_005n * FIXED / 100n);
    assert.equal(account.liquidatable.isTrue, false);
    assert.ok(account.initialMargin.toBigInt() > 0n && account.maintenanceMargin.toBigInt() > 0n);
    assert.ok(position.liquidationPrice.isSome);

    const market = (await api.call.marginApi.market(BTC)).unwrap();
    assert.equal(market.skew.toBigInt(), 10n * FIXED);
    assert.equal(market.longOpenInterest.toBigInt(), 1_000n * BUSD);
  });

  it('closes at a profit the vault pays after the oracle price rises, and withdraws it', async () => {
    await submitRound(api, operators, BTC, [105n, 105n, 105n]);
    const account = (await api.call.marginApi.account(trader.address)).unwrap();
    assert.ok(account.positions[0].unrealizedPnl.toBigInt() > 45n * BUSD, account.toString());

    const closed = await signAndWait(api, api.tx.margin.close(BTC, 0), trader);
    assert.equal(closed.error, null);
    const realized = findEvent(closed.events, 'margin', 'Traded').data.realizedPnl.toBigInt();
    // Sold 10 at 105 x (1 + 10 / 20,000) = 105.0525 against an entry of 100.05, less funding.
    assert.ok(realized > 49n * BUSD && realized <= 50_025_000n, `realized ${realized}`);

    // The next block's hook settles: the vault pays custody the trader's profit.
    const block = (await api.rpc.chain.getHeader()).number.toNumber();
    await waitBest(api, block + 2);
    const vault = await api.call.vaultsApi.vault(BTC);
    assert.ok(vault.nav.toBigInt() < 100_000n * BUSD, `vault NAV ${vault.nav.toBigInt()}`);

    const collateral = (await api.call.marginApi.account(trader.address)).unwrap().collateral.toBigInt();
    assert.ok(collateral > 1_045n * BUSD, `collateral ${collateral}`);
    const before = (await api.query.busd.account(trader.address)).free.toBigInt();
    const withdrawn = await signAndWait(api, api.tx.margin.withdraw(collateral), trader);
    assert.equal(withdrawn.error, null);
    const after = (await api.query.busd.account(trader.address)).free.toBigInt();
    assert.equal(after - before, collateral);
    assert.ok((await api.call.marginApi.account(trader.address)).isNone);
  });
});
