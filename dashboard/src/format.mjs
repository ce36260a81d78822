// How the dashboard writes numbers; the e2e test formats the runtime API's values with the same
// functions to compare them with the page.
const grouped = (digits) => new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const TWO = grouped(2);
const FOUR = grouped(4);

/** bUSD, two decimals, grouped: `1,234.56`. */
export const fmtBusd = (x) => (x === null || x === undefined ? '–' : TWO.format(x));
/** A price, four decimals: `100.1234`. */
export const fmtPrice = (x) => (x === null || x === undefined ? '–' : FOUR.format(x));
/** A percentage, `digits` decimals: `12.50%`. */
export const fmtPercent = (x, digits = 2) => (x === null || x === undefined ? '–' : `${grouped(digits).format(x)}%`);
/** A ratio, two decimals: `3.25x`. */
export const fmtRatio = (x) => (x === null || x === undefined ? '–' : `${TWO.format(x)}x`);
/** A size in contracts, four decimals, signed. */
export const fmtSize = (x) => (x === null || x === undefined ? '–' : FOUR.format(x));
/** An address, shortened. */
export const shortAddress = (a) => (a.length > 14 ? `${a.slice(0, 6)}…${a.slice(-6)}` : a);
