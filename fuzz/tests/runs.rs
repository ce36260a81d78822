//! The fuzzer in `./scripts/test.sh`: a short run of a fixed seed, and every regression seed
//! (`fuzz/regressions/*.txt`, one `seed calls` pair a line, `#` comments) replayed.

use bulwark_fuzz::{Config, Run};

/// 200,000 calls of a fixed seed (about 30 s here): no invariant breaks, and the run reaches
/// what it must test (as measured for this seed, which replays exactly: 8,551 fills, 6
/// liquidations, 2 of them with bad debt, every kind of price episode).
#[test]
fn a_short_fixed_seed_run_breaks_no_invariant() {
	let report = Run::execute(Config::new(20_261_206, 200_000));
	println!("{}", report.summary());
	assert!(report.broken.is_none(), "{}", report.summary());
	assert!(report.calls >= 200_000);
	assert!(report.events.get("filled").copied().unwrap_or(0) >= 100, "{}", report.summary());
	assert_eq!(report.episodes.len(), 6, "{}", report.summary());
	assert!(report.events.get("liquidated").copied().unwrap_or(0) >= 1, "{}", report.summary());
}

#[test]
fn every_regression_seed_replays_without_a_break() {
	let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions");
	let mut replayed = 0;
	for entry in std::fs::read_dir(&dir).expect("fuzz/regressions exists") {
		let path = entry.expect("a directory entry").path();
		if path.extension().and_then(|e| e.to_str()) != Some("txt") {
			continue;
		}
		let text = std::fs::read_to_string(&path).expect("a readable regression file");
		for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
			let mut fields = line.split_whitespace().map(|f| f.parse::<u64>());
			let (Some(Ok(seed)), Some(Ok(calls))) = (fields.next(), fields.next()) else {
				panic!("{}: `seed calls` expected, got {line:?}", path.display());
			};
			let report = Run::execute(Config::new(seed, calls));
			assert!(report.broken.is_none(), "{}: {}", path.display(), report.summary());
			replayed += 1;
		}
	}
	println!("{replayed} regression seeds replayed");
}
