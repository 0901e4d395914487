//! The `ramal` command line: `serve` (default), `migrate`, `agent ...`, `token`, `doctor`.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use access_token::{
    AccessToken, Identity, OutgoingApplication, Ttl, VoiceGrant, decode_unverified,
};
use call_store::model::AgentRole;
use clap::{Parser, Subcommand};

use crate::config::{self, Config, Source};
use crate::startup::Application;

/// `ramal --version`: the crate version and the git revision it was built from (`build.rs`:
/// `RAMAL_GIT_REVISION` when set, else `git rev-parse`, else `unknown`).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (git ",
    env!("RAMAL_BUILD_REVISION"),
    ")"
);

/// Ramal: a browser webphone and Twilio Voice backend.
#[derive(Debug, Parser)]
#[command(name = "ramal", version = VERSION)]
pub struct Cli {
    /// Configuration file (TOML); the environment overrides it. Also RAMAL_CONFIG.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve,
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Manage agents.
    Agent {
        #[command(subcommand)]
        action: AgentCommand,
    },
    /// Print a Twilio Access Token for an agent and its decoded claims (setup debugging).
    Token {
        /// The agent's username.
        #[arg(long)]
        agent: String,
    },
    /// Recording filing jobs: list them, retry dead ones.
    Recordings {
        #[command(subcommand)]
        action: crate::recordings::cli::RecordingsCommand,
    },
    /// Check the configuration, the database and the Twilio account; say how to fix each problem.
    Doctor {
        /// Also point the TwiML App and the phone number at RAMAL_PUBLIC_URL through Twilio's
        /// REST API, and apply pending database migrations.
        #[arg(long)]
        fix: bool,
    },
}

#[derive(Debug, Subcommand)]
enum AgentCommand {
    /// Add an agent. The password is read from standard input (prompted on a terminal).
    Add {
        /// Login name (unique); the Twilio identity is derived from it.
        username: String,
        /// Display name; accents are fine.
        #[arg(long)]
        name: String,
        /// Make the agent an administrator.
        #[arg(long)]
        admin: bool,
    },
    /// List agents.
    List,
    /// Disable an agent (it can no longer log in or ring).
    Disable {
        /// The agent's username.
        username: String,
    },
    /// Enable a disabled agent.
    Enable {
        /// The agent's username.
        username: String,
    },
    /// Set an agent's password (read from standard input).
    SetPassword {
        /// The agent's username.
        username: String,
    },
}

/// Entry point of the binary.
// A command-line tool reports its failures on standard error; logging is not set up yet
// when configuration fails.
#[allow(clippy::print_stderr)]
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    // The doctor reports a configuration the loader refuses instead of stopping on it.
    if let Some(Command::Doctor { fix }) = cli.command {
        return crate::doctor::main(&Source::from_process(cli.config), fix);
    }
    let config = match config::load(&Source::from_process(cli.config.clone())) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("ramal: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ramal: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(cli.command.unwrap_or(Command::Serve), config));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("ramal: {message}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("RAMAL_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}

async fn run(command: Command, config: Config) -> Result<(), String> {
    match command {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            let target = call_store::StoreTarget::parse(&config.database_url, &config.data_dir)
                .map_err(|e| e.to_string())?;
            let applied = call_store::migrate(&target)
                .await
                .map_err(|e| e.to_string())?;
            if applied.is_empty() {
                println!("database schema is up to date");
            } else {
                for name in applied {
                    println!("applied {name}");
                }
            }
            Ok(())
        }
        Command::Agent { action } => agent(action, config).await,
        Command::Token { agent } => token(&agent, config).await,
        Command::Recordings { action } => crate::recordings::cli::run(action, config).await,
        Command::Doctor { .. } => {
            unreachable!("`main` runs the doctor before loading the configuration")
        }
    }
}

async fn serve(config: Config) -> Result<(), String> {
    if config.demo {
        tracing::warn!(
            "DEMO MODE: no Twilio account configured, a built-in Twilio simulator answers instead; calls are not real"
        );
    } else if config.twilio.is_none() {
        tracing::warn!(
            "no Twilio account configured (TWILIO_* variables): webhooks are refused and browsers get no token"
        );
    }
    if !config.public_url.is_https() {
        tracing::warn!(
            public_url = %config.public_url,
            "the public URL is not https: fine locally, but Twilio webhooks and browser microphones need https"
        );
    }
    if !crate::assets::built() {
        tracing::warn!(
            "this binary has no webphone (frontend/dist was missing when it was compiled): run scripts/frontend-build, then build ramal again"
        );
    }
    let app = Application::build(config)
        .await
        .map_err(|e| e.to_string())?;
    let state = app.state().clone();
    tracing::info!(
        port = app.port(),
        public_url = %state.config.public_url,
        database = state.store.backend().as_str(),
        "ramal is listening"
    );
    app.run_until_stopped().await.map_err(|e| e.to_string())
}

async fn open_store(config: &Config) -> Result<std::sync::Arc<dyn call_store::CallStore>, String> {
    std::fs::create_dir_all(&config.data_dir).map_err(|e| {
        format!(
            "cannot create the data directory {}: {e}",
            config.data_dir.display()
        )
    })?;
    call_store::open(&config.database_url, &config.data_dir)
        .await
        .map_err(|e| e.to_string())
}

fn read_password() -> Result<String, String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        print!("Password (at least 8 characters): ");
        let _ = std::io::stdout().flush();
        // Hide what is typed where the terminal allows it.
        let hidden = std::process::Command::new("stty")
            .arg("-echo")
            .status()
            .is_ok();
        let mut line = String::new();
        let read = stdin.lock().read_line(&mut line);
        if hidden {
            let _ = std::process::Command::new("stty").arg("echo").status();
            println!();
        }
        read.map_err(|e| e.to_string())?;
        Ok(line.trim_end_matches(['\n', '\r']).to_owned())
    } else {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        Ok(line.trim_end_matches(['\n', '\r']).to_owned())
    }
}

async fn agent(action: AgentCommand, config: Config) -> Result<(), String> {
    let store = open_store(&config).await?;
    let by_name = |username: String| {
        let store = store.clone();
        async move {
            store
                .get_agent_by_username(&username)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no agent named {username:?}"))
        }
    };
    match action {
        AgentCommand::Add {
            username,
            name,
            admin,
        } => {
            let password = read_password()?;
            let hash = crate::auth::password::hash(&password).map_err(|e| e.to_string())?;
            let identity = Identity::from_display_name(&username);
            let identity = call_store::party::ClientIdentity::parse(identity.as_str())
                .map_err(|e| e.to_string())?;
            let role = if admin {
                AgentRole::Admin
            } else {
                AgentRole::Agent
            };
            let new = call_store::model::NewAgent::new(&username, &name, identity, &hash, role)
                .map_err(|e| e.to_string())?;
            let agent = store.create_agent(&new).await.map_err(|e| e.to_string())?;
            println!(
                "added {} ({}) as {}, Twilio identity {}",
                agent.username,
                agent.display_name,
                agent.role.as_str(),
                agent.identity.as_str()
            );
        }
        AgentCommand::List => {
            println!(
                "{:<6} {:<20} {:<8} {:<8} {:<24} NAME",
                "ID", "USERNAME", "ROLE", "ACTIVE", "IDENTITY"
            );
            for a in store.list_agents().await.map_err(|e| e.to_string())? {
                println!(
                    "{:<6} {:<20} {:<8} {:<8} {:<24} {}",
                    a.id,
                    a.username,
                    a.role.as_str(),
                    if a.active { "yes" } else { "no" },
                    a.identity.as_str(),
                    a.display_name
                );
            }
        }
        AgentCommand::Disable { username } => {
            let a = by_name(username).await?;
            store
                .set_agent_active(a.id, false)
                .await
                .map_err(|e| e.to_string())?;
            println!("disabled {}", a.username);
        }
        AgentCommand::Enable { username } => {
            let a = by_name(username).await?;
            store
                .set_agent_active(a.id, true)
                .await
                .map_err(|e| e.to_string())?;
            println!("enabled {}", a.username);
        }
        AgentCommand::SetPassword { username } => {
            let a = by_name(username).await?;
            let password = read_password()?;
            let hash = crate::auth::password::hash(&password).map_err(|e| e.to_string())?;
            store
                .set_agent_password_hash(a.id, &hash)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "password changed for {}; their sessions have ended",
                a.username
            );
        }
    }
    Ok(())
}

async fn token(username: &str, config: Config) -> Result<(), String> {
    let twilio = config.twilio.as_ref().ok_or(
        "no Twilio account configured: set TWILIO_ACCOUNT_SID, TWILIO_API_KEY_SID, TWILIO_API_KEY_SECRET, TWILIO_TWIML_APP_SID, ...",
    )?;
    let store = open_store(&config).await?;
    let agent = store
        .get_agent_by_username(username)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no agent named {username:?}"))?;
    let secret = access_token::ApiKeySecret::new(twilio.api_key_secret.expose())
        .map_err(|e| format!("TWILIO_API_KEY_SECRET: {e}"))?;
    let identity = Identity::new(agent.identity.as_str()).map_err(|e| e.to_string())?;
    let token = AccessToken::new(twilio.account_sid, twilio.api_key_sid, secret)
        .identity(identity)
        .grant(
            VoiceGrant::new()
                .incoming_allow(true)
                .outgoing(OutgoingApplication::new(twilio.twiml_app_sid)),
        )
        .ttl(Ttl::from_secs(u64::from(config.auth.token_ttl_secs)).map_err(|e| e.to_string())?)
        .without_not_before()
        .mint()
        .map_err(|e| e.to_string())?;
    println!("{}", token.as_str());
    let decoded = decode_unverified(token.as_str()).map_err(|e| e.to_string())?;
    println!(
        "\nheader: {}",
        serde_json::to_string_pretty(&decoded.header).unwrap_or_default()
    );
    println!(
        "claims: {}",
        serde_json::to_string_pretty(&decoded.claims).unwrap_or_default()
    );
    let problems = decoded.problems_at(chrono::Utc::now().timestamp().max(0) as u64);
    if problems.is_empty() {
        println!(
            "\nTwilio should accept this token (check the API key is a Standard key that is active)."
        );
    } else {
        for p in problems {
            println!("problem: {p}");
        }
    }
    Ok(())
}
