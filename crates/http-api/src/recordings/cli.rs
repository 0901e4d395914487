//! `ramal recordings list [--dead]` and `ramal recordings retry <sid>`.

use call_store::ids::RecordingSid;
use call_store::model::{JobFilter, JobState, RecordingJob};
use clap::Subcommand;

use crate::config::Config;

/// Recording jobs, for operators.
#[derive(Debug, Subcommand)]
pub enum RecordingsCommand {
    /// List recording jobs, newest first.
    List {
        /// Only jobs that gave up (they wait for `ramal recordings retry`).
        #[arg(long)]
        dead: bool,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Put a dead recording job back in the queue (after fixing what its error says).
    Retry {
        /// The recording SID (RE...).
        sid: String,
    },
}

/// Runs a `recordings` subcommand.
pub async fn run(command: RecordingsCommand, config: Config) -> Result<(), String> {
    std::fs::create_dir_all(&config.data_dir).map_err(|e| {
        format!(
            "cannot create the data directory {}: {e}",
            config.data_dir.display()
        )
    })?;
    let store = call_store::open(&config.database_url, &config.data_dir)
        .await
        .map_err(|e| e.to_string())?;
    match command {
        RecordingsCommand::List { dead, limit } => {
            let jobs = store
                .list_jobs(&JobFilter {
                    state: dead.then_some(JobState::Dead),
                    limit,
                    before_id: None,
                })
                .await
                .map_err(|e| e.to_string())?;
            print!("{}", table(&jobs));
            Ok(())
        }
        RecordingsCommand::Retry { sid } => {
            let sid = RecordingSid::parse(sid.trim()).map_err(|e| e.to_string())?;
            if store
                .retry_dead_job(&sid)
                .await
                .map_err(|e| e.to_string())?
            {
                println!(
                    "{sid} is queued again; a running ramal files it at its next poll (RAMAL_RECORDING_POLL_INTERVAL)"
                );
                return Ok(());
            }
            match store.get_job(&sid).await.map_err(|e| e.to_string())? {
                Some(job) => Err(format!(
                    "{sid} is {}, not dead: nothing to retry",
                    job.state.as_str()
                )),
                None => Err(format!("no recording job for {sid}")),
            }
        }
    }
}

/// The jobs as a text table (errors cut to one line).
pub fn table(jobs: &[RecordingJob]) -> String {
    let mut out = format!(
        "{:<6} {:<34} {:<8} {:>8}  {:<20} LAST ERROR\n",
        "ID", "RECORDING", "STATE", "ATTEMPTS", "NEXT RUN (UTC)"
    );
    for job in jobs {
        let error: String = job
            .last_error
            .as_deref()
            .unwrap_or("")
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(120)
            .collect();
        out.push_str(&format!(
            "{:<6} {:<34} {:<8} {:>8}  {:<20} {}\n",
            job.id,
            job.recording_sid.as_str(),
            job.state.as_str(),
            job.attempts,
            job.next_run_at.format("%Y-%m-%d %H:%M:%S"),
            error
        ));
    }
    if jobs.is_empty() {
        out.push_str("(no jobs)\n");
    }
    out
}
