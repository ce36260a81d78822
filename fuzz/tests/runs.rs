//! The fuzzer in `./scripts/test.sh`: a short run of a fixed seed, and every regression seed
//! (`fuzz/regressions/*.txt`, one `seed calls` pair a line, `#` comments) replayed.

use bulwark_fuzz::{Config, Run};

/// 200,000 calls of a fixed seed (about 15 s here): no invariant breaks, and the run reaches
/// what it must test. The floors are below what this seed, which replays exactly, measured
/// when they were set, so that a change to the generators that stops reaching them fails.
#[test]
fn a_short_fixed_seed_run_breaks_no_invariant() {
	let report = Run::execute(Config::new(20_261_206, 200_000));
	println!("{}", report.summary());
	assert!(report.broken.is_none(), "{}", report.summary());
	assert!(report.calls >= 200_000);
	let event = |name: &str| report.events.get(name).copied().unwrap_or(0);
	assert!(event("filled") >= 5_000, "{}", report.summary());
	assert!(event("liquidated") >= 10, "{}", report.summary());
	assert!(event("bad debt") >= 5, "{}", report.summary());
	assert!(event("motion executed") >= 100, "{}", report.summary());
	// A level confirmed beyond one jump waits for the council, which resumes it.
	assert!(event("resumed by the council") >= 1, "{}", report.summary());
	assert_eq!(report.episodes.len(), 6, "{}", report.summary());
	// The hedged owner traded, was liquidated and closed everything at the end.
	assert!(report.owner.is_some(), "{}", report.summary());
	// A stated share of the generated calls succeeds (the rest fail with typed errors).
	let (ok, all) =
		report.outcomes.values().flat_map(|o| o.iter()).fold((0, 0), |(ok, all), (outcome, n)| {
			(ok + if outcome == "ok" { *n } else { 0 }, all + n)
		});
	assert!(ok * 100 >= all * 30, "{ok} of {all} calls succeeded");
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
