// Chain foundation smoke test (issue 2): a fresh `bulwark-node --dev --tmp`, polkadot.js with no
// custom types, blocks finalizing, a bUSD transfer, and a risk-council motion that executes a call
// gated by RiskOrigin which a plain signed account cannot make.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { COUNCIL_AYES, connect, devAccounts, findEvent, signAndWait, startDevNode, waitFinalized } from './lib.mjs';

const BUSD = 1_000_000n; // 6 decimals

describe('chain foundation', { timeout: 300_000 }, () => {
  let node;
  let api;
  const acc = devAccounts();

  before(async () => {
    node = await startDevNode({ name: 'foundation' });
    api = await connect(node.url);
  });

  after(async () => {
    if (api) await api.disconnect();
    if (node) {
      const exit = await node.stop();
      assert.ok(exit, 'the node stopped');
    }
  });

  it('connects with no custom types and reports the Bulwark runtime and both tokens', async () => {
    assert.equal(api.runtimeVersion.specName.toString(), 'bulwark');
    const props = await api.rpc.system.properties();
    assert.deepEqual(props.tokenSymbol.unwrap().map(String), ['BWK', 'bUSD']);
    assert.deepEqual(props.tokenDecimals.unwrap().map((d) => d.toNumber()), [12, 6]);
    for (const section of ['balances', 'busd', 'staking', 'session', 'council', 'councilMembership', 'offences']) {
      assert.ok(api.query[section], `pallet ${section} is in the metadata`);
    }
  });

  it('produces and finalizes blocks, visible through chain_getHeader', async () => {
    const finalized = await waitFinalized(api, 2);
    assert.ok(finalized.number.toNumber() >= 2);
    const best = await api.rpc.chain.getHeader();
    assert.ok(best.number.toNumber() >= finalized.number.toNumber());
    const validators = await api.query.session.validators();
    assert.deepEqual(validators.map(String), [acc.alice.address]);
  });

  it('transfers bUSD between dev accounts without touching BWK', async () => {
    const amount = 25n * BUSD;
    const before = (await api.query.busd.account(acc.dave.address)).free.toBigInt();
    const bwkBefore = (await api.query.system.account(acc.dave.address)).data.free.toBigInt();
    const { events, error } = await signAndWait(api, api.tx.busd.transferKeepAlive(acc.dave.address, amount), acc.alice);
    assert.equal(error, null);
    const transfer = findEvent(events, 'busd', 'Transfer');
    assert.ok(transfer, 'busd.Transfer emitted');
    assert.equal(transfer.data.from.toString(), acc.alice.address);
    assert.equal(transfer.data.to.toString(), acc.dave.address);
    assert.equal(transfer.data.amount.toBigInt(), amount);
    const after = (await api.query.busd.account(acc.dave.address)).free.toBigInt();
    assert.equal(after - before, amount);
    const bwkAfter = (await api.query.system.account(acc.dave.address)).data.free.toBigInt();
    assert.equal(bwkAfter, bwkBefore, 'receiving bUSD costs Dave no BWK');
  });

  it('passes a council motion executing a RiskOrigin call; a signed account is refused', async () => {
    const sevenPercent = 70_000_000; // Perbill
    assert.equal((await api.query.staking.minCommission()).toNumber(), 0);

    // A plain signed account cannot make the call.
    const direct = await signAndWait(api, api.tx.staking.setMinCommission(sevenPercent), acc.dave);
    assert.equal(direct.error, 'BadOrigin');
    assert.ok(findEvent(direct.events, 'system', 'ExtrinsicFailed'));
    assert.equal((await api.query.staking.minCommission()).toNumber(), 0);

    // Alice proposes; Alice, Bob, Charlie and Dave vote aye: 4 of 5 = two thirds. Charlie
    // closes.
    const proposal = api.tx.staking.setMinCommission(sevenPercent);
    const length = proposal.method.encodedLength;
    const proposed = await signAndWait(api, api.tx.council.propose(COUNCIL_AYES, proposal.method, length), acc.alice);
    assert.equal(proposed.error, null);
    const ev = findEvent(proposed.events, 'council', 'Proposed');
    assert.ok(ev, 'council.Proposed emitted');
    const index = ev.data.proposalIndex.toNumber();
    const hash = ev.data.proposalHash.toHex();
    assert.equal(hash, proposal.method.hash.toHex());

    // Three ayes of five are not two thirds: closing now is refused.
    for (const member of [acc.alice, acc.bob, acc.charlie]) {
      assert.equal((await signAndWait(api, api.tx.council.vote(hash, index, true), member)).error, null);
    }
    const info = await api.call.transactionPaymentCallApi.queryCallInfo(proposal.method, length);
    const early = await signAndWait(api, api.tx.council.close(hash, index, info.weight, length), acc.charlie);
    assert.equal(early.error, 'council.TooEarly');
    assert.equal((await api.query.staking.minCommission()).toNumber(), 0);

    const voted = await signAndWait(api, api.tx.council.vote(hash, index, true), acc.dave);
    assert.equal(voted.error, null);
    const vote = findEvent(voted.events, 'council', 'Voted');
    assert.equal(vote.data.yes.toNumber(), 4);

    const closed = await signAndWait(api, api.tx.council.close(hash, index, info.weight, length), acc.charlie);
    assert.equal(closed.error, null);
    assert.ok(findEvent(closed.events, 'council', 'Closed'), 'council.Closed emitted');
    assert.ok(findEvent(closed.events, 'council', 'Approved'), 'council.Approved emitted');
    const executed = findEvent(closed.events, 'council', 'Executed');
    assert.ok(executed, 'council.Executed emitted');
    assert.ok(executed.data.result.isOk, `the motion's call succeeded: ${executed.data.result.toString()}`);

    assert.equal((await api.query.staking.minCommission()).toNumber(), sevenPercent);
  });
});
