// Vaults and insurance on the dev chain (issue 4): a staker stakes bUSD into the BTC-USD vault and
// starts unbonding, a contributor tops up the market's insurance fund, and both are read back
// through the runtime APIs `VaultsApi` and `InsuranceApi` with no custom types. Issue 10: a
// staker's withdrawal is refused while a council slash of the vault is pending, and allowed (at
// the slashed value) once it applied.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, devAccounts, findEvent, signAndWait, startDevNode, waitBest } from './lib.mjs';

const BUSD = 1_000_000n;
const BTC = 0;

describe('vaults and insurance on the dev chain', { timeout: 600_000 }, () => {
  let node;
  let api;
  const acc = devAccounts();

  before(async () => {
    node = await startDevNode({ name: 'vaults' });
    api = await connect(node.url);
  });

  after(async () => {
    if (api) await api.disconnect();
    if (node) await node.stop();
  });

  it('stakes into a market vault at one share per bUSD and reports NAV and capacity', async () => {
    const amount = 1_000n * BUSD;
    const staked = await signAndWait(api, api.tx.vaults.stake(BTC, amount, 0), acc.dave);
    assert.equal(staked.error, null);
    const event = findEvent(staked.events, 'vaults', 'Staked');
    assert.equal(event.data.shares.toBigInt(), amount);

    const vault = await api.call.vaultsApi.vault(BTC);
    assert.equal(vault.nav.toBigInt(), amount);
    assert.equal(vault.totalShares.toBigInt(), amount);
    assert.equal(vault.capacity.toBigInt(), 5n * amount, 'capacity is NAV x 5 (default leverage)');
    assert.equal(vault.reserved.toBigInt(), 0n);

    const staker = (await api.call.vaultsApi.staker(BTC, acc.dave.address)).unwrap();
    assert.equal(staker.value.toBigInt(), amount);
    assert.equal(staker.activeShares.toBigInt(), amount);
  });

  it('starts unbonding shares that stay in the vault until withdrawn', async () => {
    const shares = 400n * BUSD;
    const requested = await signAndWait(api, api.tx.vaults.requestUnstake(BTC, shares), acc.dave);
    assert.equal(requested.error, null);
    assert.ok(findEvent(requested.events, 'vaults', 'UnstakeRequested'));
    const staker = (await api.call.vaultsApi.staker(BTC, acc.dave.address)).unwrap();
    assert.equal(staker.activeShares.toBigInt(), 600n * BUSD);
    assert.equal(staker.unbonding.length, 1);
    assert.equal(staker.value.toBigInt(), 1_000n * BUSD, 'unbonding shares keep their value (and exposure)');
    const early = await signAndWait(api, api.tx.vaults.withdraw(BTC, 0), acc.dave);
    assert.equal(early.error, 'vaults.NothingToWithdraw');
  });

  it('tops up the market insurance fund and reports it', async () => {
    const amount = 500n * BUSD;
    const paid = await signAndWait(api, api.tx.insurance.contribute({ Market: BTC }, amount), acc.eve);
    assert.equal(paid.error, null);
    assert.ok(findEvent(paid.events, 'insurance', 'Deposited'));
    const [marketFund, globalFund, coverage] = await api.call.insuranceApi.fundInfo(BTC);
    assert.equal(marketFund.toBigInt(), amount);
    assert.equal(globalFund.toBigInt(), 0n);
    assert.ok(coverage.isNone, 'no open interest yet, so no coverage ratio');
  });

  it('refuses a withdrawal while a council slash of the vault is pending, allows it after', { timeout: 400_000 }, async () => {
    const stake = 1_000n * BUSD;
    const staked = await signAndWait(api, api.tx.vaults.stake(BTC, stake, 0), acc.ferdie);
    assert.equal(staked.error, null);
    const shares = (await api.call.vaultsApi.staker(BTC, acc.ferdie.address)).unwrap().activeShares.toBigInt();
    const unstaked = await signAndWait(api, api.tx.vaults.requestUnstake(BTC, shares), acc.ferdie);
    assert.equal(unstaked.error, null);
    const unlocksAt = findEvent(unstaked.events, 'vaults', 'UnstakeRequested').data.unlocksAt.toNumber();

    // Shortly before the chunk matures, Root (part of the risk origin) slashes the vault 10%.
    await waitBest(api, unlocksAt - 6);
    const slash = api.tx.slashing.governanceSlash({ Vault: BTC }, 100_000_000, 'e2e: vault fraud', null);
    const reported = await signAndWait(api, api.tx.sudo.sudo(slash), acc.alice);
    assert.equal(reported.error, null);
    assert.ok(findEvent(reported.events, 'slashing', 'SlashReported'));
    const pending = await api.call.slashingApi.pendingSlashes();
    const vaultSlash = pending.find((p) => p.offender.isVault && p.offender.asVault.toNumber() === BTC);
    assert.ok(vaultSlash, JSON.stringify(pending.toHuman()));
    const appliesAt = vaultSlash.applyAt.toNumber();
    assert.ok(appliesAt > unlocksAt, 'the slash is still pending when the chunk matures');

    // Matured, slash pending: refused, the stake stays.
    await waitBest(api, unlocksAt);
    const refused = await signAndWait(api, api.tx.vaults.withdraw(BTC, 0), acc.ferdie);
    assert.equal(refused.error, 'vaults.SlashPending');

    // Once it applied: allowed, at the slashed value.
    await waitBest(api, appliesAt);
    const before = (await api.query.busd.account(acc.ferdie.address)).free.toBigInt();
    const withdrawn = await signAndWait(api, api.tx.vaults.withdraw(BTC, 0), acc.ferdie);
    assert.equal(withdrawn.error, null);
    const amount = findEvent(withdrawn.events, 'vaults', 'Withdrawn').data.amount.toBigInt();
    const after = (await api.query.busd.account(acc.ferdie.address)).free.toBigInt();
    assert.equal(after - before, amount);
    assert.ok(amount < stake && amount >= (stake * 9n) / 10n - 2n * BUSD, `withdrew ${amount}`);
  });
});
