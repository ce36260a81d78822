//! `bulwark-node`: the Bulwark chain's node.
#![warn(missing_docs)]
// `sc_cli::Error` is large by design; boxing it in every closure would only add noise.
#![allow(clippy::result_large_err)]

mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
