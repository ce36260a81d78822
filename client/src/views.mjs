// What a person reads off the chain, in its units: markets, security ratios, vaults and insurance,
// an account's health, risk parameters, council motions, liquidation events and a stress test.
// Runtime API calls only (or storage where no API exists), at `api` or a block (`api.at(hash)`
// for storage, `{ at: hash }` for calls). Browser-safe: the dashboard and the examples share it.

const BUSD = 1_000_000;
const FIXED = 10n ** 18n;

const big = (v) => (typeof v === 'bigint' ? v : BigInt(v?.toString?.() ?? v));
/** bUSD units (6 decimals) as a number of bUSD. */
export const toBusd = (units) => Number(big(units)) / BUSD;
/** An 18-decimal fixed-point value (FixedU128 or FixedI128) as a number. */
export const fromFixed = (fixed) => {
  const v = big(fixed);
  const whole = v / FIXED;
  return Number(whole) + Number(v - whole * FIXED) / 1e18;
};
/** A Perbill as a fraction. */
export const fromPerbill = (p) => Number(big(p)) / 1e9;
const optional = (codec, map) => (codec && codec.isSome ? map(codec.unwrap()) : null);

/** The markets: `{ id, symbol, decimals, oracleParams }` each. */
export async function listMarkets(api) {
  return (await api.call.oracleApi.markets()).map(([id, symbol, decimals, params]) => ({
    id: id.toNumber(), symbol: symbol.toUtf8(), decimals: decimals.toNumber(), oracleParams: params,
  }));
}

/**
 * One market as the markets view shows it: oracle price, EMA, volatility and status (`Restricted`
 * with the ratio that restricted it when the monitor did), funding rate (per hour, %), open
 * interest long and short against the cap, skew, imf and effective mmf (%).
 */
export async function marketRow(api, market) {
  const [info, view, security] = await Promise.all([
    api.call.oracleApi.priceInfo(market.id),
    api.call.marginApi.market(market.id),
    api.call.securityApi.ratios(market.id),
  ]);
  const row = { id: market.id, symbol: market.symbol, price: null, ema: null, volatility: null, oracleStatus: 'No price', round: null };
  if (info.isSome) {
    const p = info.unwrap();
    Object.assign(row, {
      price: fromFixed(p.price), ema: fromFixed(p.emaPrice), volatility: fromFixed(p.volatility) * 100,
      oracleStatus: p.status.type, round: p.round.toNumber(), updatedAt: p.updatedAt.toNumber(),
    });
  }
  const restriction = security.isSome ? optional(security.unwrap().restriction, (r) => ({
    ratio: r.ratio.type, value: fromFixed(r.value), floor: fromFixed(r.floor), since: r.since.toNumber(),
  })) : null;
  row.restriction = restriction;
  row.status = restriction ? `Restricted (${restriction.ratio} ${restriction.value.toFixed(2)} < ${restriction.floor.toFixed(2)})` : row.oracleStatus;
  if (view.isSome) {
    const m = view.unwrap();
    Object.assign(row, {
      longOi: toBusd(m.longOpenInterest),
      shortOi: toBusd(m.shortOpenInterest),
      capacity: toBusd(m.capacity),
      oiCap: security.isSome ? optional(security.unwrap().openInterestCapacity, toBusd) : null,
      skew: fromFixed(m.skew),
      fundingRate: fromFixed(m.fundingRate) * 100,
      imf: fromFixed(m.initialMarginFraction) * 100,
      effectiveMmf: fromFixed(m.effectiveMmf) * 100,
      targetMmf: fromFixed(m.targetMmf) * 100,
      restricted: m.restricted.isTrue,
      marginStatus: optional(m.status, (s) => s.type),
    });
  }
  return row;
}

/** A market's attack-cost ratios against their floors, control bond, value secured, BWK price. */
export async function securityRow(api, market, { bwkPrices = null } = {}) {
  const view = await api.call.securityApi.ratios(market.id);
  if (view.isNone) return { id: market.id, symbol: market.symbol, known: false };
  const s = view.unwrap();
  const ratio = (r) => optional(r, fromFixed);
  const prices = bwkPrices ?? await api.query.monitor.bwkPrices();
  return {
    id: market.id,
    symbol: market.symbol,
    known: true,
    oracleAcr: ratio(s.ratios.oracleAcr),
    consensusAcr: ratio(s.ratios.consensusAcr),
    vaultCover: ratio(s.ratios.vaultCover),
    minOracleAcr: fromFixed(s.params.minOracleAcr),
    minConsensusAcr: fromFixed(s.params.minConsensusAcr),
    minVaultCover: fromFixed(s.params.minVaultCover),
    restricted: s.restriction.isSome ? s.restriction.unwrap().ratio.type : null,
    controlBond: toBusd(s.controlBond),
    valueSecured: toBusd(s.valueSecured),
    openInterest: toBusd(s.openInterest),
    oiCap: optional(s.openInterestCapacity, toBusd),
    // The lowest BWK price of the window: the consensus ACR's.
    bwkPrice: prices.length ? Math.min(...prices.map(fromFixed)) : null,
  };
}

/** A market's vault (NAV, share price, utilization, unbonding) and insurance funds. */
export async function vaultRow(api, market, { stakers = null } = {}) {
  const [vault, [fund, global, coverage], allowance] = await Promise.all([
    api.call.vaultsApi.vault(market.id),
    api.call.insuranceApi.fundInfo(market.id),
    api.call.insuranceApi.globalAllowance(),
  ]);
  const entries = stakers ?? await api.query.vaults.stakers.entries(market.id);
  let unbondingShares = 0n;
  let unbondingChunks = 0;
  for (const [, info] of entries) {
    const staker = info.isSome ? info.unwrap() : info;
    for (const chunk of staker.unbonding ?? []) {
      unbondingShares += big(chunk.shares);
      unbondingChunks += 1;
    }
  }
  const nav = toBusd(vault.nav);
  const shares = Number(big(vault.totalShares));
  const sharePrice = shares > 0 ? Number(big(vault.nav)) / shares : 1;
  return {
    id: market.id,
    symbol: market.symbol,
    nav,
    sharePrice,
    totalShares: shares / BUSD,
    utilization: fromFixed(vault.utilization) * 100,
    capacity: toBusd(vault.capacity),
    reserved: toBusd(vault.reserved),
    withdrawable: toBusd(vault.withdrawable),
    stakers: entries.length,
    unbondingShares: Number(unbondingShares) / BUSD,
    unbondingChunks,
    insuranceFund: toBusd(fund),
    insuranceCoverage: coverage.isSome ? fromFixed(coverage.unwrap()) * 100 : null,
    globalFund: toBusd(global),
    globalAllowance: toBusd(allowance),
  };
}

/** An account's health from `marginApi.account`, or null without one. */
export async function accountHealth(api, who) {
  const view = await api.call.marginApi.account(who);
  if (view.isNone) return null;
  const a = view.unwrap();
  return {
    collateral: toBusd(a.collateral),
    equity: Number(big(a.equity)) / BUSD,
    initialMargin: toBusd(a.initialMargin),
    maintenanceMargin: toBusd(a.maintenanceMargin),
    marginRatio: optional(a.marginRatio, fromFixed),
    belowMaintenance: a.belowMaintenance.isTrue,
    liquidatable: a.liquidatable.isTrue,
    reservedMargin: toBusd(a.reservedMargin),
    positions: a.positions.map((p) => ({
      market: p.market.toNumber(),
      size: fromFixed(p.signedSize),
      entryPrice: fromFixed(p.entryPrice),
      unrealizedPnl: Number(big(p.unrealizedPnl)) / BUSD,
      fundingOwed: Number(big(p.fundingOwed)) / BUSD,
      liquidationPrice: optional(p.liquidationPrice, fromFixed),
    })),
    orders: a.orders.map((o) => ({
      market: o.market.toNumber(),
      action: o.action.toHuman(),
      limitPrice: fromFixed(o.limitPrice),
      dueBlock: o.dueBlock.toNumber(),
      expiresRound: o.expiresRound.toNumber(),
      reserved: toBusd(o.reserved),
    })),
  };
}

/** `securityApi.stressTest([[market, percent]])` in units. */
export async function stressTest(api, shocks) {
  const r = await api.call.securityApi.stressTest(shocks);
  return {
    liquidatableAccounts: r.liquidatableAccounts.toNumber(),
    badDebt: toBusd(r.badDebt),
    insuranceCovered: toBusd(r.insuranceCovered),
    markets: r.markets.map((m) => ({
      market: m.market.toNumber(),
      priceBefore: fromFixed(m.priceBefore),
      priceAfter: fromFixed(m.priceAfter),
      liquidatableAccounts: m.liquidatableAccounts.toNumber(),
      badDebt: toBusd(m.badDebt),
      insuranceCovered: toBusd(m.insuranceCovered),
      vaultNavBefore: toBusd(m.vaultNavBefore),
      vaultNavAfter: toBusd(m.vaultNavAfter),
    })),
  };
}

/**
 * The liquidation feed's entries among a block's `events` (`{ event }` records or events):
 * liquidations, bad debt, insurance cover and auto-deleveraging, with amounts in bUSD.
 */
export function riskEvents(events, block) {
  const out = [];
  for (const record of events) {
    const e = record.event ?? record;
    const d = e.data;
    const key = `${e.section}.${e.method}`;
    if (key === 'margin.Liquidated') {
      out.push({ block, kind: 'Liquidated', who: d.who.toString(), keeper: d.keeper.toString(), closed: fromFixed(d.closed) * 100, penalty: toBusd(d.penalty), keeperReward: toBusd(d.keeperReward) });
    } else if (key === 'margin.BadDebt') {
      out.push({ block, kind: 'BadDebt', who: d.who.toString(), market: d.market.toNumber(), shortfall: toBusd(d.shortfall), covered: toBusd(d.covered), absorbed: toBusd(d.absorbed) });
    } else if (key === 'insurance.Covered') {
      out.push({ block, kind: 'InsuranceCovered', market: d.market.toNumber(), shortfall: toBusd(d.shortfall), fromMarket: toBusd(d.fromMarket), fromGlobal: toBusd(d.fromGlobal) });
    } else if (key === 'margin.Deleveraged') {
      out.push({ block, kind: 'Deleveraged', who: d.who.toString(), market: d.market.toNumber(), closed: fromFixed(d.closed), realizedPnl: Number(big(d.realizedPnl)) / BUSD });
    }
  }
  return out;
}

/**
 * A parameter struct's fields as `[{ name, value, unit }]`, each in its unit, found from the
 * metadata's type names: FixedU128 as a decimal, Perbill as a percentage, Balance as bUSD, block
 * and round counts as integers. `structName` is the type's name (`MarginParams`).
 */
export function describeParams(registry, codec, structName) {
  const entry = registry.lookup.types.find((t) => t.type.path.length > 0 && t.type.path[t.type.path.length - 1].toString() === structName);
  const typeNames = new Map();
  if (entry && entry.type.def.isComposite) {
    for (const f of entry.type.def.asComposite.fields) {
      const snake = f.name.unwrap().toString();
      typeNames.set(snake.replace(/_([a-z])/g, (_, c) => c.toUpperCase()), f.typeName.isSome ? f.typeName.unwrap().toString() : '');
    }
  }
  const out = [];
  for (const [name, value] of codec.entries()) {
    const type = typeNames.get(name) ?? '';
    if (/Fixed[UI]128/.test(type)) out.push({ name, value: fromFixed(value), unit: '' });
    else if (/Perbill/.test(type)) out.push({ name, value: fromPerbill(value) * 100, unit: '%' });
    else if (/Balance/.test(type)) out.push({ name, value: toBusd(value), unit: 'bUSD' });
    else if (/BlockNumber/.test(type)) out.push({ name, value: Number(big(value)), unit: 'blocks' });
    else if (/RoundIndex/.test(type)) out.push({ name, value: Number(big(value)), unit: 'rounds' });
    else out.push({ name, value: Number(big(value)), unit: '' });
  }
  return out;
}

/** Every risk parameter of a market, margin, oracle and the monitor's, each in its unit (`describeParams`). */
export async function riskParams(api, market) {
  const [view, security] = await Promise.all([api.call.marginApi.market(market.id), api.call.securityApi.ratios(market.id)]);
  const { registry } = market.oracleParams;
  return {
    id: market.id,
    symbol: market.symbol,
    margin: view.isSome ? describeParams(registry, view.unwrap().params, 'MarginParams') : null,
    oracle: describeParams(registry, market.oracleParams, 'OracleParams'),
    monitor: security.isSome ? describeParams(registry, security.unwrap().params, 'MonitorParams') : null,
  };
}

const PARAM_FORMAT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 });
/** A described parameter as text: `0.025`, `10%`, `100 bUSD`, `10 blocks`. */
export const paramText = (p) => `${PARAM_FORMAT.format(p.value)}${p.unit === '%' ? '%' : p.unit ? ` ${p.unit}` : ''}`;

/**
 * A call as `section.method(name: value, ...)`: a parameter struct argument (its metadata type
 * name is a struct's) with each field in its unit (`describeParams`), other arguments as
 * polkadot.js shows them.
 */
export function describeCall(call) {
  const args = call.args.map((arg, i) => {
    const meta = call.meta.args[i];
    const name = meta.name.toString();
    const typeName = meta.typeName.toString().split('::').pop();
    if (typeof arg.entries === 'function' && typeName) {
      const fields = describeParams(call.registry, arg, typeName);
      if (fields.length > 0) return `${name}: { ${fields.map((f) => `${f.name}: ${paramText(f)}`).join(', ')} }`;
    }
    return `${name}: ${JSON.stringify(arg.toHuman())}`;
  });
  return `${call.section}.${call.method}(${args.join(', ')})`;
}

/** Open council motions: index, threshold, ayes and nays, end, and the call decoded (`describeCall`). */
export async function councilMotions(api) {
  const hashes = await api.query.council.proposals();
  const motions = await Promise.all(hashes.map(async (hash) => {
    const [call, voting] = await Promise.all([api.query.council.proposalOf(hash), api.query.council.voting(hash)]);
    const v = voting.isSome ? voting.unwrap() : null;
    const decoded = call.isSome ? describeCall(call.unwrap()) : null;
    return {
      hash: hash.toHex(),
      index: v ? v.index.toNumber() : null,
      threshold: v ? v.threshold.toNumber() : null,
      ayes: v ? v.ayes.length : 0,
      nays: v ? v.nays.length : 0,
      end: v ? v.end.toNumber() : null,
      call: decoded,
    };
  }));
  return motions.sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
}

/**
 * The listed option series of `market` (every market's with `null`), valued now
 * (`optionsApi.series`): `{ series, market, expiry (ISO), strike, kind, open (contracts),
 * status, trading, modelPrice, baseVol (%), impliedVol (%), delta, gamma, vega, theta }`.
 */
export async function optionSeries(api, market = null) {
  if (!api.call.optionsApi) return [];
  return (await api.call.optionsApi.series(market)).map((v) => ({
    series: v.series.toNumber(),
    market: v.market.toNumber(),
    expiry: new Date(Number(v.expiry.toBigInt())).toISOString(),
    strike: fromFixed(v.strike),
    kind: v.kind.toString(),
    open: fromFixed(v.open),
    status: v.status.isSettled ? `Settled at ${fromFixed(v.status.asSettled.price)}` : 'Trading',
    trading: v.trading.isTrue,
    modelPrice: fromFixed(v.modelPrice),
    baseVol: 100 * fromFixed(v.baseVol),
    impliedVol: 100 * fromFixed(v.impliedVol),
    delta: fromFixed(v.delta),
    gamma: fromFixed(v.gamma),
    vega: fromFixed(v.vega),
    theta: fromFixed(v.theta),
  }));
}
