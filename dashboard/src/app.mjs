// The risk dashboard: every view live from the node's runtime APIs, refreshed at every new block.
// The node's RPC comes from the page's query string (`?rpc=ws://...`, default ws://127.0.0.1:9944).
import { h, render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';
import uPlot from 'uplot';
import {
  accountHealth, connect, councilMotions, fromFixed, listMarkets, marketRow, optionSeries, paramText, riskEvents, riskParams,
  securityRow, stressTest, toBusd, vaultRow,
} from '@bulwark/client/browser';
import {
  fmtBusd, fmtPercent, fmtPrice, fmtRatio, fmtSize, shortAddress,
} from './format.mjs';

const html = htm.bind(h);
const VIEWS = [
  ['markets', 'Markets'], ['security', 'Security'], ['vaults', 'Vaults and insurance'], ['options', 'Options'], ['liquidations', 'Liquidations'],
  ['stress', 'Stress test'], ['account', 'Account'], ['governance', 'Governance'],
];
/** History kept for the charts: one sample a block, an hour at most. */
const HISTORY_POINTS = 1_200;
/** Samples read from past blocks on load, over the last hour. */
const BACKFILL_POINTS = 60;
const FEED_LENGTH = 300;

// ---- the store: chain state, refreshed each block, and whoever renders it ----

const state = {
  url: new URLSearchParams(location.search).get('rpc') ?? 'ws://127.0.0.1:9944',
  status: 'connecting',
  error: null,
  block: null,
  markets: [],
  rows: [],
  security: [],
  vaults: [],
  params: [],
  options: [],
  motions: [],
  feed: [],
  history: new Map(),
  account: { address: new URLSearchParams(location.search).get('account') ?? '', health: null, error: null, block: null },
  stress: { shocks: {}, result: null, block: null, running: false, error: null },
};
const listeners = new Set();
const changed = () => { for (const l of listeners) l(); };
function useStore() {
  const [, setTick] = useState(0);
  useEffect(() => {
    const l = () => setTick((t) => t + 1);
    listeners.add(l);
    return () => listeners.delete(l);
  }, []);
  return state;
}

let api = null;

function seriesOf(id) {
  if (!state.history.has(id)) {
    state.history.set(id, { time: [], price: [], ema: [], oracleAcr: [], consensusAcr: [], vaultCover: [] });
  }
  return state.history.get(id);
}

function pushSample(id, time, row, sec) {
  const s = seriesOf(id);
  if (s.time.length && time <= s.time[s.time.length - 1]) return;
  s.time.push(time);
  s.price.push(row?.price ?? null);
  s.ema.push(row?.ema ?? null);
  s.oracleAcr.push(sec?.oracleAcr ?? null);
  s.consensusAcr.push(sec?.consensusAcr ?? null);
  s.vaultCover.push(sec?.vaultCover ?? null);
  if (s.time.length > HISTORY_POINTS) for (const k of Object.keys(s)) s[k].shift();
}

/** Fills the charts from the last hour's blocks (`BACKFILL_POINTS` of them). */
async function backfill(best) {
  const slotMs = Number((await api.call.auraApi.slotDuration()).toString());
  const span = Math.min(best - 1, Math.ceil(3_600_000 / slotMs));
  const step = Math.max(1, Math.floor(span / BACKFILL_POINTS));
  for (let n = best - span; n < best; n += step) {
    if (n < 1) continue;
    const at = await api.at(await api.rpc.chain.getBlockHash(n));
    const time = Number((await at.query.timestamp.now()).toString()) / 1000;
    const bwkPrices = await at.query.monitor.bwkPrices();
    for (const m of state.markets) {
      const [row, sec] = await Promise.all([marketRow(at, m), securityRow(at, m, { bwkPrices })]);
      pushSample(m.id, time, row, sec);
    }
  }
}

let refreshing = false;
let queued = null;
let lastEventsBlock = null;

/** Reads everything at block `header` (one at a time; a head arriving meanwhile is read next). */
async function refresh(header) {
  if (refreshing) { queued = header; return; }
  refreshing = true;
  try {
    const number = header.number.toNumber();
    const hash = header.hash.toHex();
    const at = await api.at(hash);
    const [time, bwkPrices] = await Promise.all([at.query.timestamp.now(), at.query.monitor.bwkPrices()]);
    const rows = await Promise.all(state.markets.map((m) => marketRow(at, m)));
    const security = await Promise.all(state.markets.map((m) => securityRow(at, m, { bwkPrices })));
    const vaults = await Promise.all(state.markets.map((m) => vaultRow(at, m)));
    const params = await Promise.all(state.markets.map((m) => riskParams(at, m)));
    const motions = await councilMotions(at);
    const options = await optionSeries(at, null);
    // The feed: every block since the last one read (heads can skip blocks).
    const from = lastEventsBlock === null ? Math.max(1, number - 200) : lastEventsBlock + 1;
    const found = [];
    for (let n = from; n <= number; n++) {
      const blockHash = n === number ? hash : await api.rpc.chain.getBlockHash(n);
      const events = await (n === number ? at : await api.at(blockHash)).query.system.events();
      found.push(...riskEvents(events, n));
    }
    lastEventsBlock = number;
    let account = state.account;
    if (account.address) {
      try {
        account = { ...account, health: await accountHealth(at, account.address), error: null, block: number, hash };
      } catch (e) {
        account = { ...account, health: null, error: e.message, block: number, hash };
      }
    }
    Object.assign(state, {
      block: { number, hash, time: Number(time.toString()) },
      rows, security, vaults, params, options, motions, account, status: 'live', error: null,
      feed: [...found.reverse(), ...state.feed].slice(0, FEED_LENGTH),
    });
    state.markets.forEach((m, i) => pushSample(m.id, Number(time.toString()) / 1000, rows[i], security[i]));
    document.body.dataset.block = String(number);
    document.body.dataset.blockHash = hash;
  } catch (e) {
    state.error = `block #${header.number.toNumber()}: ${e.message}`;
  } finally {
    refreshing = false;
    changed();
  }
  if (queued) {
    const next = queued;
    queued = null;
    await refresh(next);
  }
}

async function start() {
  try {
    api = await connect(state.url, { throwOnConnect: true });
    api.on('disconnected', () => { state.status = 'reconnecting'; changed(); });
    api.on('connected', () => { state.status = 'live'; changed(); });
    state.markets = await listMarkets(api);
    const best = (await api.rpc.chain.getHeader()).number.toNumber();
    state.status = 'loading history';
    changed();
    await backfill(best);
    await api.rpc.chain.subscribeNewHeads((header) => { refresh(header); });
  } catch (e) {
    state.status = 'error';
    state.error = `${state.url}: ${e.message ?? e}`;
    changed();
  }
}

let stressTimer = null;
function setShock(id, percent) {
  state.stress.shocks = { ...state.stress.shocks, [id]: percent };
  changed();
  clearTimeout(stressTimer);
  stressTimer = setTimeout(runStress, 250);
}

async function runStress() {
  const shocks = Object.entries(state.stress.shocks).filter(([, p]) => p !== 0).map(([id, p]) => [Number(id), p]);
  state.stress = { ...state.stress, running: true, error: null };
  changed();
  try {
    const block = state.block;
    const at = block ? await api.at(block.hash) : api;
    const [result, funds] = await Promise.all([
      stressTest(at, shocks),
      // What insurance holds at that block: each market's fund and the global one.
      Promise.all(state.markets.map(async (m) => [m.id, await at.call.insuranceApi.fundInfo(m.id)])),
    ]);
    // fundInfo is (the market's fund, the global fund, coverage).
    const global = funds.length ? toBusd(funds[0][1][1]) : 0;
    const marketFund = new Map(funds.map(([id, info]) => [id, toBusd(info[0])]));
    // Left after the shock: the market's fund, then the global fund, pay what it covers.
    for (const m of result.markets) m.insuranceLeft = Math.max(0, (marketFund.get(m.market) ?? 0) + global - m.insuranceCovered);
    result.insuranceLeft = Math.max(0, [...marketFund.values()].reduce((sum, f) => sum + f, 0) + global - result.insuranceCovered);
    state.stress = { ...state.stress, result, shocksRun: shocks, block: block?.number ?? null, hash: block?.hash ?? null, running: false };
  } catch (e) {
    state.stress = { ...state.stress, running: false, error: e.message };
  }
  changed();
}

async function lookUpAccount(address) {
  state.account = { address: address.trim(), health: null, error: null, block: null };
  changed();
  if (!state.account.address || !api) return;
  try {
    const block = state.block;
    const at = block ? await api.at(block.hash) : api;
    state.account = { ...state.account, health: await accountHealth(at, state.account.address), block: block?.number ?? null, hash: block?.hash ?? null };
  } catch (e) {
    state.account = { ...state.account, error: e.message };
  }
  changed();
}

// ---- views ----

function Chart({ title, data, series, height = 200 }) {
  const box = useRef(null);
  const plot = useRef(null);
  useEffect(() => {
    if (!box.current) return undefined;
    const width = Math.max(280, box.current.clientWidth);
    plot.current = new uPlot({
      title, width, height,
      scales: { x: { time: true } },
      axes: [{ stroke: '#8b97a5', grid: { stroke: '#2a3440' } }, { stroke: '#8b97a5', grid: { stroke: '#2a3440' } }],
      series: [{}, ...series],
    }, data, box.current);
    const resize = () => plot.current?.setSize({ width: Math.max(280, box.current.clientWidth), height });
    window.addEventListener('resize', resize);
    return () => { window.removeEventListener('resize', resize); plot.current?.destroy(); plot.current = null; };
  }, [title]);
  useEffect(() => { plot.current?.setData(data); });
  return html`<div class="chart" ref=${box}></div>`;
}

/** A chart per market of the history's `fields` (one uPlot series each). */
function MarketCharts({ s, title, fields, series }) {
  return html`<div class="grid">${s.markets.map((m) => {
    const history = seriesOf(m.id);
    return html`<section class="panel"><h2>${m.symbol}: ${title}</h2>
      <${Chart} title="" data=${[history.time, ...fields.map((f) => history[f])]} series=${series} /></section>`;
  })}</div>`;
}

const statusClass = (s) => (s === 'Active' ? 'ok' : s === 'No price' ? 'muted' : s?.startsWith('Restricted') || s === 'Stale' ? 'warn' : 'bad');

function Markets({ s }) {
  return html`
    <section class="panel">
      <h2>Markets</h2>
      <div class="scroll"><table id="markets-table">
        <thead><tr><th>Market</th><th>Price</th><th>EMA</th><th>Status</th><th>Funding /h</th><th>OI long</th><th>OI short</th>
          <th>OI cap</th><th>Skew</th><th>IMF</th><th>Eff. MMF</th><th>Volatility</th></tr></thead>
        <tbody>${s.rows.map((r) => html`
          <tr data-market=${r.id}>
            <td>${r.symbol}</td>
            <td data-field="price">${fmtPrice(r.price)}</td>
            <td data-field="ema">${fmtPrice(r.ema)}</td>
            <td data-field="status" class=${statusClass(r.status)}>${r.status}</td>
            <td data-field="funding">${fmtPercent(r.fundingRate, 4)}</td>
            <td data-field="long-oi">${fmtBusd(r.longOi)}</td>
            <td data-field="short-oi">${fmtBusd(r.shortOi)}</td>
            <td data-field="oi-cap">${fmtBusd(r.oiCap ?? r.capacity)}</td>
            <td data-field="skew">${fmtSize(r.skew)}</td>
            <td data-field="imf">${fmtPercent(r.imf)}</td>
            <td data-field="mmf">${fmtPercent(r.effectiveMmf)}</td>
            <td data-field="volatility">${fmtPercent(r.volatility)}</td>
          </tr>`)}
        </tbody>
      </table></div>
    </section>
    <${MarketCharts} s=${s} title="price and EMA, last hour" fields=${['price', 'ema']}
      series=${[{ label: 'price', stroke: '#58a6ff', width: 2 }, { label: 'EMA', stroke: '#d29922' }]} />`;
}

const against = (value, floor) => (value === null ? 'muted' : value >= floor ? 'ok' : 'bad');

function Security({ s }) {
  return html`
    <section class="panel">
      <h2>Attack cost against the floors</h2>
      <div class="scroll"><table id="security-table">
        <thead><tr><th>Market</th><th>Oracle ACR</th><th>Consensus ACR</th><th>Vault cover</th><th>Restricted by</th>
          <th>Control bond</th><th>Value secured</th><th>Open interest</th><th>OI capacity</th><th>BWK price used</th></tr></thead>
        <tbody>${s.security.map((r) => html`
          <tr data-market=${r.id}>
            <td>${r.symbol}</td>
            <td data-field="oracle-acr" class=${against(r.oracleAcr, r.minOracleAcr)}>${fmtRatio(r.oracleAcr)} <span class="muted">≥ ${fmtRatio(r.minOracleAcr)}</span></td>
            <td data-field="consensus-acr" class=${against(r.consensusAcr, r.minConsensusAcr)}>${fmtRatio(r.consensusAcr)} <span class="muted">≥ ${fmtRatio(r.minConsensusAcr)}</span></td>
            <td data-field="vault-cover" class=${against(r.vaultCover, r.minVaultCover)}>${fmtRatio(r.vaultCover)} <span class="muted">≥ ${fmtRatio(r.minVaultCover)}</span></td>
            <td data-field="restricted">${r.restricted ?? '–'}</td>
            <td data-field="control-bond">${fmtBusd(r.controlBond)}</td>
            <td data-field="value-secured">${fmtBusd(r.valueSecured)}</td>
            <td data-field="open-interest">${fmtBusd(r.openInterest)}</td>
            <td data-field="oi-capacity">${fmtBusd(r.oiCap)}</td>
            <td data-field="bwk-price">${fmtPrice(r.bwkPrice)}</td>
          </tr>`)}
        </tbody>
      </table></div>
    </section>
    <${MarketCharts} s=${s} title="ratios over time" fields=${['oracleAcr', 'consensusAcr', 'vaultCover']}
      series=${[{ label: 'oracle ACR', stroke: '#58a6ff' }, { label: 'consensus ACR', stroke: '#3fb950' }, { label: 'vault cover', stroke: '#d29922' }]} />`;
}

function Vaults({ s }) {
  const global = s.vaults[0];
  return html`
    <section class="panel">
      <h2>Vaults</h2>
      <div class="scroll"><table id="vaults-table">
        <thead><tr><th>Market</th><th>NAV</th><th>Share price</th><th>Shares</th><th>Utilization</th><th>Capacity</th>
          <th>Withdrawable</th><th>Stakers</th><th>Unbonding (shares)</th></tr></thead>
        <tbody>${s.vaults.map((v) => html`
          <tr data-market=${v.id}>
            <td>${v.symbol}</td>
            <td data-field="nav">${fmtBusd(v.nav)}</td>
            <td data-field="share-price">${fmtPrice(v.sharePrice)}</td>
            <td data-field="shares">${fmtBusd(v.totalShares)}</td>
            <td data-field="utilization">${fmtPercent(v.utilization)}</td>
            <td data-field="capacity">${fmtBusd(v.capacity)}</td>
            <td data-field="withdrawable">${fmtBusd(v.withdrawable)}</td>
            <td data-field="stakers">${v.stakers}</td>
            <td data-field="unbonding">${fmtBusd(v.unbondingShares)} <span class="muted">(${v.unbondingChunks} chunks)</span></td>
          </tr>`)}
        </tbody>
      </table></div>
    </section>
    <section class="panel">
      <h2>Insurance</h2>
      <div class="scroll"><table id="insurance-table">
        <thead><tr><th>Market</th><th>Market fund</th><th>Fund / open interest</th></tr></thead>
        <tbody>${s.vaults.map((v) => html`
          <tr data-market=${v.id}><td>${v.symbol}</td><td data-field="fund">${fmtBusd(v.insuranceFund)}</td>
            <td data-field="coverage">${fmtPercent(v.insuranceCoverage)}</td></tr>`)}
        </tbody>
      </table></div>
      ${global && html`<dl class="kv">
        <dt>Global fund</dt><dd data-field="global-fund">${fmtBusd(global.globalFund)} bUSD</dd>
        <dt>Global allowance left</dt><dd data-field="global-allowance">${fmtBusd(global.globalAllowance)} bUSD</dd>
      </dl>`}
    </section>`;
}

/** The listed option series, valued at the block shown (`optionsApi.series`). */
function Options({ s }) {
  const symbol = (id) => s.markets.find((m) => m.id === id)?.symbol ?? id;
  return html`
    <section class="panel">
      <h2>Option series <span class="muted">(written by each market's vault; model at the base volatility)</span></h2>
      ${s.options.length === 0 ? html`<p class="muted" id="no-series">No series listed.</p>` : html`
      <div class="scroll"><table id="options-table">
        <thead><tr><th>Series</th><th>Market</th><th>Kind</th><th>Strike</th><th>Expiry (UTC)</th><th>Open</th><th>Model price</th>
          <th>Base vol</th><th>Implied vol (buy)</th><th>Delta</th><th>Gamma</th><th>Vega</th><th>Theta / day</th><th>Status</th></tr></thead>
        <tbody>${s.options.map((o) => html`
          <tr data-series=${o.series}>
            <td>${o.series}</td><td>${symbol(o.market)}</td><td data-field="kind">${o.kind}</td>
            <td data-field="strike">${fmtPrice(o.strike)}</td><td data-field="expiry">${o.expiry.slice(0, 16).replace('T', ' ')}</td>
            <td data-field="open">${fmtSize(o.open)}</td><td data-field="model-price">${fmtPrice(o.modelPrice)}</td>
            <td data-field="base-vol">${o.baseVol.toFixed(1)}%</td><td data-field="implied-vol">${o.impliedVol.toFixed(1)}%</td>
            <td data-field="delta">${o.delta.toFixed(4)}</td><td>${o.gamma.toFixed(6)}</td><td>${o.vega.toFixed(4)}</td>
            <td>${(o.theta / 365).toFixed(4)}</td><td data-field="status">${o.trading ? 'Trading' : o.status}</td>
          </tr>`)}
        </tbody>
      </table></div>`}
    </section>`;
}

const FEED_TEXT = {
  Liquidated: (e) => `${shortAddress(e.who)} liquidated by ${shortAddress(e.keeper)}: ${fmtPercent(e.closed, 0)} closed, penalty ${fmtBusd(e.penalty)} bUSD (keeper ${fmtBusd(e.keeperReward)})`,
  BadDebt: (e) => `${shortAddress(e.who)} bad debt in market ${e.market}: shortfall ${fmtBusd(e.shortfall)}, covered ${fmtBusd(e.covered)}, absorbed by the vault ${fmtBusd(e.absorbed)} bUSD`,
  InsuranceCovered: (e) => `insurance covered ${fmtBusd(e.fromMarket + e.fromGlobal)} of ${fmtBusd(e.shortfall)} bUSD in market ${e.market} (global ${fmtBusd(e.fromGlobal)})`,
  Deleveraged: (e) => `${shortAddress(e.who)} deleveraged in market ${e.market}: ${fmtSize(e.closed)} closed, realized ${fmtBusd(e.realizedPnl)} bUSD`,
};

function Liquidations({ s }) {
  return html`<section class="panel">
    <h2>Liquidations, bad debt, insurance and ADL</h2>
    ${s.feed.length === 0 ? html`<p class="muted" id="feed-empty">None since block #${Math.max(1, (s.block?.number ?? 0) - 200)}.</p>` : html`
    <div class="scroll"><table id="feed-table">
      <thead><tr><th>Block</th><th>Event</th><th style="text-align:left">What</th></tr></thead>
      <tbody>${s.feed.map((e) => html`
        <tr data-kind=${e.kind} data-who=${e.who ?? ''} data-block=${e.block}>
          <td>#${e.block}</td><td class=${e.kind === 'Liquidated' ? 'warn' : 'bad'}>${e.kind}</td>
          <td style="text-align:left">${FEED_TEXT[e.kind](e)}</td></tr>`)}
      </tbody>
    </table></div>`}
  </section>`;
}

function Stress({ s }) {
  const r = s.stress.result;
  return html`<section class="panel">
    <h2>Stress test <span class="muted">(securityApi.stressTest at the block shown)</span></h2>
    ${s.markets.map((m) => html`
      <label class="slider"><span>${m.symbol}</span>
        <input type="range" min="-50" max="50" step="5" data-market=${m.id} value=${s.stress.shocks[m.id] ?? 0}
          onInput=${(e) => setShock(m.id, Number(e.currentTarget.value))} />
        <span data-field="shock">${s.stress.shocks[m.id] ?? 0}%</span></label>`)}
    ${s.stress.error && html`<p class="error">${s.stress.error}</p>`}
    ${r && html`<div id="stress-result" data-block=${s.stress.block} data-block-hash=${s.stress.hash} data-shocks=${JSON.stringify(s.stress.shocksRun)}>
      <dl class="kv">
        <dt>Accounts liquidatable</dt><dd data-field="liquidatable">${r.liquidatableAccounts}</dd>
        <dt>Bad debt</dt><dd data-field="bad-debt">${fmtBusd(r.badDebt)} bUSD</dd>
        <dt>Insurance covers</dt><dd data-field="insurance-covered">${fmtBusd(r.insuranceCovered)} bUSD</dd>
        <dt>Insurance left</dt><dd data-field="insurance-left">${fmtBusd(r.insuranceLeft)} bUSD</dd>
      </dl>
      <div class="scroll"><table id="stress-table">
        <thead><tr><th>Market</th><th>Price</th><th>After</th><th>Liquidatable</th><th>Bad debt</th><th>Insurance left</th><th>Vault NAV</th><th>NAV after</th></tr></thead>
        <tbody>${r.markets.map((x) => html`<tr data-market=${x.market}>
          <td>${s.markets.find((m) => m.id === x.market)?.symbol ?? x.market}</td>
          <td data-field="price-before">${fmtPrice(x.priceBefore)}</td><td data-field="price-after">${fmtPrice(x.priceAfter)}</td>
          <td data-field="liquidatable">${x.liquidatableAccounts}</td><td data-field="bad-debt">${fmtBusd(x.badDebt)}</td>
          <td data-field="insurance-left">${fmtBusd(x.insuranceLeft)}</td>
          <td data-field="nav-before">${fmtBusd(x.vaultNavBefore)}</td><td data-field="nav-after">${fmtBusd(x.vaultNavAfter)}</td></tr>`)}
        </tbody>
      </table></div>
    </div>`}
  </section>`;
}

function Account({ s }) {
  const a = s.account;
  const symbol = (id) => s.markets.find((m) => m.id === id)?.symbol ?? id;
  return html`<section class="panel">
    <h2>Account</h2>
    <form onSubmit=${(e) => { e.preventDefault(); lookUpAccount(e.currentTarget.elements.address.value); }}>
      <input type="text" name="address" id="account-address" placeholder="paste an address (SS58)" value=${a.address} />
    </form>
    ${a.error && html`<p class="error">${a.error}</p>`}
    ${a.address && !a.error && !a.health && html`<p class="muted">No margin account.</p>`}
    ${a.health && html`<div id="account-view" data-block=${a.block} data-block-hash=${a.hash}>
      <dl class="kv">
        <dt>Collateral</dt><dd data-field="collateral">${fmtBusd(a.health.collateral)} bUSD</dd>
        <dt>Equity</dt><dd data-field="equity">${fmtBusd(a.health.equity)} bUSD</dd>
        <dt>Initial margin (IMR)</dt><dd data-field="imr">${fmtBusd(a.health.initialMargin)} bUSD</dd>
        <dt>Maintenance margin (MMR)</dt><dd data-field="mmr">${fmtBusd(a.health.maintenanceMargin)} bUSD</dd>
        <dt>Margin ratio</dt><dd data-field="margin-ratio">${fmtRatio(a.health.marginRatio)}</dd>
        <dt>Liquidatable</dt><dd data-field="liquidatable" class=${a.health.liquidatable ? 'bad' : 'ok'}>${a.health.liquidatable ? 'yes' : 'no'}</dd>
      </dl>
      <h3>Positions</h3>
      <div class="scroll"><table id="positions-table">
        <thead><tr><th>Market</th><th>Size</th><th>Entry</th><th>Unrealized PnL</th><th>Funding owed</th><th>Liquidation price</th></tr></thead>
        <tbody>${a.health.positions.map((p) => html`<tr data-market=${p.market}>
          <td>${symbol(p.market)}</td><td data-field="size">${fmtSize(p.size)}</td><td data-field="entry">${fmtPrice(p.entryPrice)}</td>
          <td data-field="pnl">${fmtBusd(p.unrealizedPnl)}</td><td data-field="funding">${fmtBusd(p.fundingOwed)}</td>
          <td data-field="liquidation-price">${fmtPrice(p.liquidationPrice)}</td></tr>`)}
        </tbody>
      </table></div>
      <h3>Pending orders</h3>
      ${a.health.orders.length === 0 ? html`<p class="muted">None.</p>` : html`<div class="scroll"><table id="orders-table">
        <thead><tr><th>Market</th><th>Order</th><th>Limit</th><th>Due block</th><th>Expires (round)</th><th>Reserved</th></tr></thead>
        <tbody>${a.health.orders.map((o) => html`<tr><td>${symbol(o.market)}</td><td>${JSON.stringify(o.action)}</td>
          <td>${fmtPrice(o.limitPrice)}</td><td>#${o.dueBlock}</td><td>${o.expiresRound}</td><td>${fmtBusd(o.reserved)}</td></tr>`)}
        </tbody></table></div>`}
    </div>`}
  </section>`;
}

function Params({ title, params }) {
  if (!params) return null;
  return html`<h3>${title}</h3><dl class="kv">${params.map((p) => html`<dt>${p.name}</dt><dd data-param=${p.name}>${paramText(p)}</dd>`)}</dl>`;
}

function Governance({ s }) {
  return html`
    <section class="panel">
      <h2>Open council motions</h2>
      ${s.motions.length === 0 ? html`<p class="muted" id="motions-empty">None open.</p>` : html`
      <div class="scroll"><table id="motions-table">
        <thead><tr><th>#</th><th>Call</th><th>Ayes / threshold</th><th>Nays</th><th>Ends at</th></tr></thead>
        <tbody>${s.motions.map((m) => html`<tr><td>${m.index}</td><td style="text-align:left;white-space:normal">${m.call}</td>
          <td>${m.ayes} / ${m.threshold}</td><td>${m.nays}</td><td>#${m.end}</td></tr>`)}</tbody>
      </table></div>`}
    </section>
    <div class="grid">${s.params.map((p) => html`<section class="panel" data-market=${p.id}>
      <h2>${p.symbol}: risk parameters</h2>
      <${Params} title="Margin" params=${p.margin} /><${Params} title="Oracle" params=${p.oracle} /><${Params} title="Monitor" params=${p.monitor} />
    </section>`)}</div>`;
}

const PAGES = { markets: Markets, security: Security, vaults: Vaults, options: Options, liquidations: Liquidations, stress: Stress, account: Account, governance: Governance };

function App() {
  const s = useStore();
  const [view, setView] = useState((location.hash || '#markets').slice(1));
  useEffect(() => {
    const onHash = () => setView((location.hash || '#markets').slice(1));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const Page = PAGES[view] ?? Markets;
  return html`
    <header>
      <h1>Bulwark risk</h1>
      <span class="chain" id="chain-status" data-status=${s.status}>
        ${s.url} · ${s.status}${s.block ? html` · block <b id="block-number">#${s.block.number}</b>` : ''}
      </span>
      ${s.error && html`<span class="error" id="error">${s.error}</span>`}
    </header>
    <nav>${VIEWS.map(([id, label]) => html`<a href=${`#${id}`} class=${id === view ? 'active' : ''} data-view=${id}>${label}</a>`)}</nav>
    <main id=${`view-${view}`} data-block=${s.block?.number} data-block-hash=${s.block?.hash}>${s.block || view === 'stress' ? html`<${Page} s=${s} />` : html`<p class="loading">${s.status}…</p>`}</main>`;
}

const root = document.getElementById('app');
// The placeholder goes: preact renders beside what the container holds.
root.textContent = '';
render(html`<${App} />`, root);
start();
// The e2e test reads the values the page shows through these.
window.bulwarkDashboard = { state, fromFixed };
