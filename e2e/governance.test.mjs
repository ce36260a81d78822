// Governance walk-through (issue 14), as the README tells it: the risk council proposes, votes and
// closes a motion raising BTC-USD's `base_imf` from 5% to 10%; a trader's initial margin, read
// through `api.call.marginApi.account`, rises by 5% of its notional; a signed account trying the
// same call is refused. No sudo.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  COUNCIL_AYES, FIXED, connect, devAccounts, findEvent, placeAndFill, registerOperators, signAndWait, startDevNode,
  submitRound,
} from './lib.mjs';

const BUSD = 1_000_000n;
const BTC = 0;

describe('governance walk-through', { timeout: 600_000 }, () => {
  let node;
  let api;
  const acc = devAccounts();
  const operators = [acc.alice, acc.bob, acc.charlie];
  const trader = acc.eve;

  before(async () => {
    node = await startDevNode({ name: 'governance' });
    api = await connect(node.url);
    const staked = await signAndWait(api, api.tx.vaults.stake(BTC, 100_000n * BUSD, 0), acc.dave);
    assert.equal(staked.error, null);
    await registerOperators(api, operators, operators.map(() => 10_000n * BUSD), BTC);
    await submitRound(api, operators, BTC, [100n, 100n, 100n]);
    // Eve holds 10 BTC long (1,000 bUSD of notional at the oracle's 100) on 1,000 bUSD.
    assert.equal((await signAndWait(api, api.tx.margin.deposit(1_000n * BUSD), trader)).error, null);
    const opened = await placeAndFill(api, trader, BTC, 10n * FIXED, 101n * FIXED, () => submitRound(api, operators, BTC, [100n, 100n, 100n]));
    assert.equal(opened.error, null);
    assert.equal(opened.outcome.method, 'Traded', opened.outcome.toString());
  });

  after(async () => {
    if (api) await api.disconnect();
    if (node) await node.stop();
  });

  it('a council motion raises base_imf and the trader\'s IMR follows; a signed account is refused', async () => {
    const market = (await api.call.marginApi.market(BTC)).unwrap();
    const params = market.params.toJSON();
    assert.equal(BigInt(params.baseImf), FIXED / 20n, 'base_imf starts at 5%');
    const imrBefore = (await api.call.marginApi.account(trader.address)).unwrap().initialMargin.toBigInt();
    const proposal = api.tx.margin.setMarketParams(BTC, { ...params, baseImf: FIXED / 10n });

    // A signed account (even a council member) cannot change a risk parameter by itself.
    for (const who of [acc.dave, acc.alice]) {
      const direct = await signAndWait(api, proposal, who);
      assert.equal(direct.error, 'BadOrigin');
    }
    assert.equal((await api.call.marginApi.market(BTC)).unwrap().params.baseImf.toBigInt(), FIXED / 20n);

    // The council (Alice to Eve): Alice proposes with a threshold of four, Alice, Bob, Charlie
    // and Dave vote aye (two thirds of five), Charlie closes and the motion executes as
    // RiskOrigin.
    const length = proposal.method.encodedLength;
    const proposed = await signAndWait(api, api.tx.council.propose(COUNCIL_AYES, proposal.method, length), acc.alice);
    assert.equal(proposed.error, null);
    const ev = findEvent(proposed.events, 'council', 'Proposed');
    const index = ev.data.proposalIndex.toNumber();
    const hash = ev.data.proposalHash.toHex();
    for (const member of [acc.alice, acc.bob, acc.charlie, acc.dave]) {
      const voted = await signAndWait(api, api.tx.council.vote(hash, index, true), member);
      assert.equal(voted.error, null);
    }
    const { weight } = await api.call.transactionPaymentCallApi.queryCallInfo(proposal.method, length);
    const closed = await signAndWait(api, api.tx.council.close(hash, index, weight, length), acc.charlie);
    assert.equal(closed.error, null);
    const executed = findEvent(closed.events, 'council', 'Executed');
    assert.ok(executed && executed.data.result.isOk, `the motion executed: ${executed?.data.result.toString()}`);
    const set = findEvent(closed.events, 'margin', 'MarketParamsSet');
    assert.ok(set, 'margin.MarketParamsSet emitted');
    assert.equal(set.data.params.baseImf.toBigInt(), FIXED / 10n);

    // The new base_imf is in force: Eve's IMR rose by 5% of her 1,000 bUSD notional.
    assert.equal((await api.call.marginApi.market(BTC)).unwrap().params.baseImf.toBigInt(), FIXED / 10n);
    const imrAfter = (await api.call.marginApi.account(trader.address)).unwrap().initialMargin.toBigInt();
    const rise = imrAfter - imrBefore;
    assert.ok(rise >= 50n * BUSD - 10n && rise <= 50n * BUSD + 10n, `IMR ${imrBefore} -> ${imrAfter}: +${rise}`);
  });
});
