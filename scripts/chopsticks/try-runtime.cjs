// chopsticks' `try-runtime`, on chopsticks-core, with the one option its command does not pass
// on: `allowUnresolvedImports`. A dev chain's runtime is built with `runtime-benchmarks` and
// imports the benchmarking host functions, which chopsticks' executor does not provide (they
// are never called outside a benchmark). Used by scripts/upgrade-check.mjs.
//
//   node try-runtime.cjs ENDPOINT WASM [--checks All] [--disable-spec-check]
const { readFileSync } = require('node:fs');
const { setup, BuildBlockMode } = require('@acala-network/chopsticks-core');

async function main() {
  const [endpoint, wasmPath] = process.argv.slice(2);
  const flag = (name) => process.argv.includes(name);
  const checksAt = process.argv.indexOf('--checks');
  const checks = checksAt > 0 ? process.argv[checksAt + 1] : 'All';
  const chain = await setup({
    endpoint,
    buildBlockMode: BuildBlockMode.Manual,
    allowUnresolvedImports: true,
    runtimeLogLevel: 3,
  });
  const block = chain.head;
  const registry = await block.registry;
  registry.register({ UpgradeCheckSelect: { _enum: { None: null, All: null, PreAndPost: null, TryState: null } } });
  const oldVersion = await block.runtimeVersion;
  const wasm = readFileSync(wasmPath);
  block.setWasm(`0x${wasm.toString('hex')}`);
  const newVersion = await block.runtimeVersion;
  console.log(`chain at #${block.number}: ${oldVersion.specName} ${oldVersion.specVersion} -> ${newVersion.specName} ${newVersion.specVersion}`);
  if (!flag('--disable-spec-check')) {
    if (oldVersion.specName !== newVersion.specName) throw new Error('❌ spec_name differs');
    if (oldVersion.specVersion >= newVersion.specVersion) throw new Error('❌ spec_version must increase');
  }
  const select = registry.createType('UpgradeCheckSelect', checks);
  const response = await block.call('TryRuntime_on_runtime_upgrade', [select.toHex()]);
  const [actual, max] = registry.createType('(Weight, Weight)', response.result);
  const used = actual.refTime.toBn();
  const limit = max.refTime.toBn();
  console.log(`upgrade weight: ${used.toString()} of ${limit.toString()} (${((used.toNumber() / limit.toNumber()) * 100).toFixed(2)}%)`);
  if (used.gt(limit)) throw new Error('❌ the upgrade exceeds the block weight');
}

main().then(() => process.exit(0), (e) => { console.error(`Error: ${e.message ?? e}`); process.exit(1); });
