//! The `ramal` binary.

use std::process::ExitCode;

fn main() -> ExitCode {
    http_api::cli::main()
}
