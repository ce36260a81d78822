//! Benchmarks (written next).
