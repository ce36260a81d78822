// The risk dashboard in a real headless Chromium (issue 27), against a dev chain through a crash:
// the drill's feeders and keeper and a few traders. Each view is checked against the runtime API
// at the block the page says it shows; the liquidation feed against the chain's events; no
// console errors. Screenshots of every view go to a temp dir, their paths printed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import {
  FIXED, connect, devAccounts, newKeyring, placeOrder, signAndWait, startBot, startDevNode, submitAll, nonceBook,
  untilEachBlock, waitBest,
} from './lib.mjs';
import { buildDashboard } from '../dashboard/build.mjs';
import { serveDashboard } from '../dashboard/serve.mjs';
import {
  fmtBusd, fmtPercent, fmtPrice, fmtRatio, fmtSize,
} from '../dashboard/src/format.mjs';
import { accountHealth, fromFixed, stressTest, toBusd } from '@bulwark/client';

const BUSD = 1_000_000n;
const BWK = 1_000_000_000_000n;
const BTC = 0;
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

const log = (line) => console.log(`[dashboard ${new Date().toISOString().slice(11, 19)}] ${line}`);

describe('the risk dashboard in headless Chromium, through a crash', { timeout: 600_000 }, () => {
  const shots = mkdtempSync(join(tmpdir(), 'bulwark-dashboard-'));
  const acc = devAccounts();
  const traders = Array.from({ length: 8 }, (_, i) => newKeyring().addFromUri(`//dashboard/trader/${i}`));
  const bots = [];
  const consoleErrors = [];
  let node;
  let api;
  let server;
  let browser;
  let page;
  let pageUrl;

  before(async () => {
    node = await startDevNode({ name: 'dashboard' });
    api = await connect(node.url);
    await buildDashboard({ quiet: true });
    const served = await serveDashboard();
    server = served.server;
    pageUrl = `${served.url}?rpc=${encodeURIComponent(node.url)}`;
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      // Root in a container has no user namespace for Chromium's sandbox.
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 800 });
    page.on('console', (msg) => { if (msg.type() === 'error') consoleErrors.push(msg.text()); });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) server.close();
    await Promise.all(bots.map((b) => b.stop()));
    if (api) await api.disconnect();
    if (node) await node.stop();
  });

  /** Opens `view` and waits until it shows a block at or after `minBlock`. */
  async function show(view, minBlock = 0) {
    await page.evaluate((v) => { location.hash = v; }, view);
    await page.waitForFunction((v, n) => {
      const main = document.querySelector(`main#view-${v}`);
      return main && Number(main.dataset.block) >= n;
    }, { timeout: 60_000 }, view, minBlock);
  }

  async function screenshot(name) {
    const path = join(shots, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    return path;
  }

  /** The cells of `selector`'s rows by `data-market` and `data-field`, and the block they show, in one read. */
  const readTable = (selector) => page.evaluate((sel) => {
    const main = document.querySelector('main');
    const rows = {};
    for (const tr of document.querySelectorAll(`${sel} tbody tr`)) {
      const cells = {};
      for (const td of tr.querySelectorAll('[data-field]')) cells[td.dataset.field] = td.textContent.trim();
      rows[tr.dataset.market] = cells;
    }
    return { hash: main.dataset.blockHash, block: Number(main.dataset.block), rows };
  }, selector);

  it('shows markets, security and vaults as the runtime API has them at the same block', async () => {
    // The drill's market: a staked vault, margin for about 13x, three feeders and a keeper.
    assert.equal((await signAndWait(api, api.tx.vaults.stake(BTC, 500_000n * BUSD, 0), acc.dave)).error, null);
    const marginParams = (await api.call.marginApi.market(BTC)).unwrap().params.toJSON();
    assert.equal((await signAndWait(api, api.tx.sudo.sudo(api.tx.margin.setMarketParams(BTC, {
      ...marginParams, volCoeff: FIXED / 40n, skewScale: 1_000_000n * FIXED,
    })), acc.alice)).error, null);
    for (const name of ['Alice', 'Bob', 'Charlie']) {
      bots.push(startBot('feeder', [
        '--url', node.url, '--dev-key', `//${name}`, '--market', String(BTC), '--bond', '900000',
        '--price', '100', '--drop', '35', '--drop-rounds', '10', '--drop-on-signal',
      ], `dashboard-feeder-${name.toLowerCase()}`));
    }
    await untilEachBlock(api, async () => {
      const info = await api.call.oracleApi.priceInfo(BTC);
      return info.isSome && info.unwrap().status.isActive;
    }, 180_000, 'the first active price');

    // Eight traders: six longs at 4x to 9x, two shorts at 3x.
    const next = await nonceBook(api, [acc.dave]);
    await submitAll(api, traders.flatMap((t) => [
      [api.tx.balances.transferKeepAlive(t.address, BWK), acc.dave, next(acc.dave)],
      [api.tx.busd.transferKeepAlive(t.address, 1_100n * BUSD), acc.dave, next(acc.dave)],
    ]));
    await untilEachBlock(api, async () => (await api.query.busd.account.multi(traders.map((t) => t.address)))
      .every((a) => a.free.toBigInt() >= 1_000n * BUSD), 120_000, 'the traders\' funding');
    await Promise.all(traders.map(async (t, i) => {
      assert.equal((await signAndWait(api, api.tx.margin.deposit(1_000n * BUSD), t)).error, null);
      const long = i < 6;
      const size = BigInt(long ? 40 + 10 * i : -30) * FIXED;
      const placed = await placeOrder(api, t, BTC, size, long ? 102n * FIXED : 98n * FIXED);
      assert.equal(placed.error, null);
    }));
    await untilEachBlock(api, async () => (await api.query.margin.accounts.multi(traders.map((t) => t.address)))
      .every((a) => a.isSome && a.unwrap().orders.length === 0 && a.unwrap().positions.length === 1), 120_000, 'the positions');
    bots.push(startBot('keeper', ['--url', node.url, '--dev-key', '//Ferdie'], 'dashboard-keeper'));
    log('8 positions open; feeders and keeper running');

    await page.goto(pageUrl, { waitUntil: 'domcontentloaded' });
    const opened = (await api.rpc.chain.getHeader()).number.toNumber();
    await show('markets', opened);
    const markets = await readTable('#markets-table');
    const at = await api.at(markets.hash);
    const [info, view] = [(await at.call.oracleApi.priceInfo(BTC)).unwrap(), (await at.call.marginApi.market(BTC)).unwrap()];
    const btc = markets.rows[BTC];
    assert.equal(btc.price, fmtPrice(fromFixed(info.price)));
    assert.equal(btc.ema, fmtPrice(fromFixed(info.emaPrice)));
    assert.equal(btc.status, info.status.type);
    assert.equal(btc['long-oi'], fmtBusd(toBusd(view.longOpenInterest)));
    assert.equal(btc['short-oi'], fmtBusd(toBusd(view.shortOpenInterest)));
    assert.equal(btc.funding, fmtPercent(fromFixed(view.fundingRate) * 100, 4));
    assert.equal(btc.skew, fmtSize(fromFixed(view.skew)));
    assert.equal(btc.imf, fmtPercent(fromFixed(view.initialMarginFraction) * 100));
    assert.notEqual(btc['long-oi'], '0.00', 'longs are open');
    log(`markets view at #${markets.block}: BTC-USD ${btc.price} ${btc.status}, OI ${btc['long-oi']} / ${btc['short-oi']}, funding ${btc.funding}`);
    log(`screenshot ${await screenshot('markets')}`);

    await show('security', opened);
    const security = await readTable('#security-table');
    const sec = (await (await api.at(security.hash)).call.securityApi.ratios(BTC)).unwrap();
    const ratio = (r) => (r.isSome ? fmtRatio(fromFixed(r.unwrap())) : '–');
    assert.ok(security.rows[BTC]['oracle-acr'].startsWith(ratio(sec.ratios.oracleAcr)), JSON.stringify(security.rows[BTC]));
    assert.equal(security.rows[BTC]['control-bond'], fmtBusd(toBusd(sec.controlBond)));
    assert.equal(security.rows[BTC]['value-secured'], fmtBusd(toBusd(sec.valueSecured)));
    log(`screenshot ${await screenshot('security')}`);

    await show('vaults', opened);
    const vaults = await readTable('#vaults-table');
    const vault = await (await api.at(vaults.hash)).call.vaultsApi.vault(BTC);
    assert.equal(vaults.rows[BTC].nav, fmtBusd(toBusd(vault.nav)));
    assert.equal(vaults.rows[BTC].utilization, fmtPercent(fromFixed(vault.utilization) * 100));
    log(`screenshot ${await screenshot('vaults')}`);

    // The options view: no series on this chain (e2e/options.test.mjs lists some).
    await show('options', opened);
    const empty = await page.evaluate(() => document.querySelector('#no-series')?.textContent);
    assert.equal(empty, 'No series listed.');
  });

  it('the stress slider at -30% shows what stressTest([[0, -30]]) returns', async () => {
    await show('stress');
    await page.evaluate(() => {
      const slider = document.querySelector('input[type=range][data-market="0"]');
      slider.value = '-30';
      slider.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await page.waitForFunction(() => document.querySelector('#stress-result')?.dataset.shocks === '[[0,-30]]', { timeout: 30_000 });
    const shown = await page.evaluate(() => {
      const r = document.querySelector('#stress-result');
      const field = (sel) => r.querySelector(sel).textContent.trim();
      return {
        hash: r.dataset.blockHash,
        liquidatable: field('dd[data-field=liquidatable]'),
        badDebt: field('dd[data-field=bad-debt]'),
        covered: field('dd[data-field=insurance-covered]'),
        left: field('dd[data-field=insurance-left]'),
        navAfter: field('#stress-table tr[data-market="0"] [data-field=nav-after]'),
        priceAfter: field('#stress-table tr[data-market="0"] [data-field=price-after]'),
      };
    });
    const expected = await stressTest(await api.at(shown.hash), [[BTC, -30]]);
    assert.equal(shown.liquidatable, String(expected.liquidatableAccounts));
    assert.equal(shown.badDebt, `${fmtBusd(expected.badDebt)} bUSD`);
    assert.equal(shown.covered, `${fmtBusd(expected.insuranceCovered)} bUSD`);
    // Insurance left: every fund at that block less what the shock's bad debt takes from them.
    const at = await api.at(shown.hash);
    const markets = (await at.call.oracleApi.markets()).map(([id]) => id.toNumber());
    const funds = await Promise.all(markets.map((m) => at.call.insuranceApi.fundInfo(m)));
    const held = funds.reduce((sum, [fund]) => sum + toBusd(fund), 0) + toBusd(funds[0][1]);
    assert.equal(shown.left, `${fmtBusd(Math.max(0, held - expected.insuranceCovered))} bUSD`);
    assert.equal(shown.navAfter, fmtBusd(expected.markets[0].vaultNavAfter));
    assert.equal(shown.priceAfter, fmtPrice(expected.markets[0].priceAfter));
    assert.ok(expected.liquidatableAccounts > 0, 'a 30% fall liquidates the longs');
    log(`stress -30%: ${shown.liquidatable} liquidatable, bad debt ${shown.badDebt}, NAV after ${shown.navAfter}`);
    log(`screenshot ${await screenshot('stress')}`);
  });

  it('during the crash the liquidation feed shows the chain\'s liquidations', async () => {
    await show('liquidations');
    const from = Number(await page.evaluate(() => document.querySelector('main').dataset.block));
    for (const bot of bots.slice(0, 3)) bot.child.kill('SIGUSR2');
    log('crash armed: BTC-USD falls 35% over ten rounds');
    const roundLength = api.consts.oracle.roundLength.toNumber();
    await waitBest(api, from + 14 * roundLength);
    // Every margin.Liquidated event since the page opened, from the chain.
    const to = Number(await page.evaluate(() => document.querySelector('main').dataset.block));
    const onChain = [];
    for (let n = Math.max(1, from - 200); n <= to; n++) {
      const events = await (await api.at(await api.rpc.chain.getBlockHash(n))).query.system.events();
      for (const { event } of events) {
        if (event.section === 'margin' && event.method === 'Liquidated') onChain.push(`${n}:${event.data.who.toString()}`);
      }
    }
    const shown = await page.evaluate((last) => [...document.querySelectorAll('#feed-table tr[data-kind=Liquidated]')]
      .filter((tr) => Number(tr.dataset.block) <= last)
      .map((tr) => `${tr.dataset.block}:${tr.dataset.who}`), to);
    assert.ok(onChain.length >= 3, `liquidations on chain: ${onChain.length}`);
    assert.deepEqual([...shown].sort(), [...onChain].sort());
    log(`feed: ${shown.length} liquidations, as on chain`);
    log(`screenshot ${await screenshot('liquidations')}`);
    await show('markets', to);
    log(`screenshot ${await screenshot('markets-after-crash')}`);
  });

  it('the account view matches marginApi.account; governance lists the parameters', async () => {
    // A short: still open after the crash, in profit.
    const short = traders[7];
    await show('account');
    await page.evaluate((address) => {
      const input = document.querySelector('#account-address');
      input.value = address;
      input.form.requestSubmit();
    }, short.address);
    await page.waitForSelector('#account-view', { timeout: 30_000 });
    const shown = await page.evaluate(() => {
      const v = document.querySelector('#account-view');
      const field = (sel) => v.querySelector(sel)?.textContent.trim();
      return {
        hash: v.dataset.blockHash,
        collateral: field('dd[data-field=collateral]'),
        equity: field('dd[data-field=equity]'),
        mmr: field('dd[data-field=mmr]'),
        ratio: field('dd[data-field=margin-ratio]'),
        size: field('#positions-table [data-field=size]'),
        liquidationPrice: field('#positions-table [data-field=liquidation-price]'),
      };
    });
    const expected = await accountHealth(await api.at(shown.hash), short.address);
    assert.equal(shown.collateral, `${fmtBusd(expected.collateral)} bUSD`);
    assert.equal(shown.equity, `${fmtBusd(expected.equity)} bUSD`);
    assert.equal(shown.mmr, `${fmtBusd(expected.maintenanceMargin)} bUSD`);
    assert.equal(shown.ratio, fmtRatio(expected.marginRatio));
    assert.equal(shown.size, fmtSize(expected.positions[0].size));
    assert.equal(shown.liquidationPrice, fmtPrice(expected.positions[0].liquidationPrice));
    log(`account ${short.address}: equity ${shown.equity}, size ${shown.size}`);
    log(`screenshot ${await screenshot('account')}`);

    // An open motion of the council (proposed, not yet voted through), decoded in the view.
    const raise = api.tx.margin.setMarketParams(BTC, { ...(await api.call.marginApi.market(BTC)).unwrap().params.toJSON(), volCoeff: FIXED / 20n });
    const proposed = await signAndWait(api, api.tx.council.propose(4, raise.method, raise.method.encodedLength), acc.eve);
    assert.equal(proposed.error, null);
    await show('governance', (await api.rpc.chain.getHeader()).number.toNumber());
    const governance = await page.evaluate(() => ({
      volCoeff: document.querySelector('section[data-market="0"] [data-param=volCoeff]')?.textContent.trim(),
      maxPriceJump: document.querySelector('section[data-market="0"] [data-param=maxPriceJump]')?.textContent.trim(),
      liquidationWindow: document.querySelector('section[data-market="0"] [data-param=liquidationWindow]')?.textContent.trim(),
      motions: [...document.querySelectorAll('#motions-table tbody tr')].map((tr) => tr.textContent),
    }));
    // The drill's volCoeff (1/40), the dev chain's 10% breaker, in their units.
    assert.equal(governance.volCoeff, '0.025');
    assert.equal(governance.maxPriceJump, '10%');
    assert.match(governance.liquidationWindow, /^\d+ blocks$/);
    assert.equal(governance.motions.length, 1);
    assert.match(governance.motions[0], /margin\.setMarketParams\(market: "0", params: \{ baseImf: [\d.]+, .*volCoeff: 0\.05,/);
    assert.match(governance.motions[0], /0 \/ 4/);
    log(`screenshot ${await screenshot('governance')}`);

    // A phone-sized viewport still renders the markets table.
    await page.setViewport({ width: 390, height: 844, isMobile: true });
    await show('markets');
    log(`screenshot ${await screenshot('markets-phone')}`);
    assert.deepEqual(consoleErrors, [], 'no console errors');
    console.log(`# dashboard screenshots in ${shots}`);
  });
});
