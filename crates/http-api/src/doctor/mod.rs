//! `ramal doctor [--fix]`: checks the configuration and the environment and says, for each
//! problem, what is wrong and how to fix it, one line each.
//!
//! | module | checks |
//! |---|---|
//! | `config` | the loader's verdict (every problem it finds), secrets, tokens, recording settings, the embedded webphone |
//! | `public_url` | `RAMAL_PUBLIC_URL`: set, https, reachable from Twilio, path prefix, answers as Ramal |
//! | `storage` | data directory (exists, writable, private), database (reachable, migrations, schema), agents' identities |
//! | `twilio` | through Twilio's REST API: the Auth Token and the API key work |
//! | `twilio_routing` | the TwiML App's and the number's voice and status callback URLs (`--fix` sets them) |
//! | `drive` | Google Drive: token, folder, the service account no-quota trap |
//!
//! The exit status is 0 when no problem is left, 1 otherwise. Nothing printed holds a secret or
//! a full phone number.

mod config;
mod drive;
mod public_url;
mod report;
mod storage;
mod twilio;
mod twilio_api;
mod twilio_routing;
mod urls;

use std::process::ExitCode;

pub use report::{Finding, Report, Status};

use crate::config::Source;

/// Runs every check on the configuration `source` describes. With `fix`, points the TwiML App
/// and the phone number at this server and applies pending migrations.
pub async fn run(source: &Source, fix: bool) -> Report {
    let mut report = Report::default();
    let loaded = config::load(source, &mut report);
    let Some(cfg) = &loaded.config else {
        return report;
    };
    if loaded.intact(&["RAMAL_PUBLIC_URL", "RAMAL_BIND"]) {
        public_url::check(cfg, &mut report);
        public_url::reachable(cfg, &mut report).await;
    }
    config::check(cfg, &loaded, &mut report);
    if loaded.intact(&["RAMAL_DATA_DIR"]) {
        storage::data_dir(cfg, &mut report);
    } else {
        report.skipped("data", "RAMAL_DATA_DIR has a problem (above)");
    }
    if loaded.intact(&["RAMAL_DATA_DIR", "RAMAL_DATABASE_URL"]) {
        storage::database(cfg, fix, &mut report).await;
    } else {
        report.skipped(
            "database",
            "RAMAL_DATABASE_URL or RAMAL_DATA_DIR has a problem (above)",
        );
    }
    if loaded.intact(&[
        "TWILIO_",
        "RAMAL_PUBLIC_URL",
        "RAMAL_BIND",
        "RAMAL_TWILIO_API_BASE",
    ]) {
        twilio::check(cfg, fix, &mut report).await;
    } else {
        report.skipped(
            "twilio",
            "REST checks: the Twilio settings have problems (above)",
        );
    }
    if loaded.intact(&["RAMAL_DRIVE_", "RAMAL_RECORDING_SINKS"]) {
        drive::check(cfg, &mut report).await;
    } else {
        report.skipped("drive", "the Google Drive settings have problems (above)");
    }
    report
}

/// `ramal doctor`: prints the report and returns 0 when no problem is left, 1 otherwise.
pub fn main(source: &Source, fix: bool) -> ExitCode {
    println!("ramal doctor, ramal {}", crate::cli::VERSION);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            println!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let report = runtime.block_on(run(source, fix));
    print!("{}", report.render());
    if report.has_problems() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
