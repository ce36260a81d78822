//! `bulwark-fuzz [--calls N] [--seed S] [--jobs J]`: J runs of N calls each, from seeds S to
//! S + J - 1, in parallel. Prints each run's report; exits 1 if an invariant broke.

use bulwark_fuzz::{Config, Run};

fn main() {
	let mut calls: u64 = 100_000;
	let mut seed: u64 = 1;
	let mut jobs: u64 = 1;
	let mut args = std::env::args().skip(1);
	while let Some(flag) = args.next() {
		let value = args.next().and_then(|v| v.parse::<u64>().ok());
		match (flag.as_str(), value) {
			("--calls", Some(v)) => calls = v,
			("--seed", Some(v)) => seed = v,
			("--jobs", Some(v)) => jobs = v.max(1),
			_ => {
				eprintln!("usage: bulwark-fuzz [--calls N] [--seed S] [--jobs J] (got {flag})");
				std::process::exit(2);
			},
		}
	}
	let handles: Vec<_> = (seed..seed.saturating_add(jobs))
		.map(|seed| std::thread::spawn(move || Run::execute(Config::new(seed, calls))))
		.collect();
	let mut broken = false;
	for handle in handles {
		let report = handle.join().expect("a run's thread completes");
		print!("{}", report.summary());
		broken |= report.broken.is_some();
	}
	std::process::exit(i32::from(broken));
}
