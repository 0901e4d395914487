//! Reading the configuration: TOML file, then environment, then validation.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::{
    AuthConfig, CallPolicy, Config, ExternalJwtConfig, ExternalJwtKey, Messages, PublicUrl, Secret,
    TwilioConfig,
};
use crate::phone::{DestinationPolicy, E164};

/// Where configuration comes from. Tests pass their own environment map instead of touching the
/// process environment.
#[derive(Debug, Clone, Default)]
pub struct Source {
    /// TOML file to read, if any.
    pub file: Option<PathBuf>,
    /// Environment variables (name -> value).
    pub env: HashMap<String, String>,
}

impl Source {
    /// The process environment, plus the file named by `--config` or `RAMAL_CONFIG`.
    pub fn from_process(file: Option<PathBuf>) -> Self {
        let env: HashMap<String, String> = std::env::vars().collect();
        let file = file.or_else(|| env.get("RAMAL_CONFIG").map(PathBuf::from));
        Self { file, env }
    }
}

/// Every problem found in the configuration, each with how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    /// One line per problem.
    pub problems: Vec<String>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "the configuration has {} problem(s):",
            self.problems.len()
        )?;
        for p in &self.problems {
            writeln!(f, "  - {p}")?;
        }
        write!(
            f,
            "See config/ramal.example.toml for every setting and its environment variable."
        )
    }
}

/// The file layout; every field optional so the environment can supply it instead.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default)]
    server: FileServer,
    #[serde(default)]
    database: FileDatabase,
    #[serde(default)]
    twilio: FileTwilio,
    #[serde(default)]
    calls: FileCalls,
    #[serde(default)]
    auth: FileAuth,
    #[serde(default)]
    recordings: super::recordings::FileRecordings,
    #[serde(default)]
    drive: super::recordings::FileDrive,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileServer {
    bind: Option<String>,
    public_url: Option<String>,
    data_dir: Option<String>,
    spool_dir: Option<String>,
    max_body_bytes: Option<usize>,
    demo: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDatabase {
    url: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTwilio {
    account_sid: Option<String>,
    auth_token: Option<String>,
    api_key_sid: Option<String>,
    api_key_secret: Option<String>,
    twiml_app_sid: Option<String>,
    phone_number: Option<String>,
    api_base: Option<String>,
    webhook_keys: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileCalls {
    language: Option<String>,
    recording: Option<String>,
    ring_timeout: Option<u32>,
    allowed_destinations: Option<Vec<String>>,
    voicemail: Option<bool>,
    greeting: Option<String>,
    unavailable_message: Option<String>,
    voicemail_prompt: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileAuth {
    session_secret: Option<String>,
    session_ttl: Option<u64>,
    token_ttl: Option<u32>,
    recording_link_ttl: Option<u64>,
    trusted_proxies: Option<String>,
    external_jwt_hs256_secret: Option<String>,
    external_jwt_rs256_public_key: Option<String>,
    external_jwt_id_claim: Option<String>,
    external_jwt_name_claim: Option<String>,
    external_jwt_issuer: Option<String>,
    external_jwt_audience: Option<String>,
}

/// Collects problems while values are read.
struct Reader<'a> {
    env: &'a HashMap<String, String>,
    problems: Vec<String>,
}

impl Reader<'_> {
    /// The environment value if set and not blank, else the file value.
    fn pick(&self, env: &str, file: Option<String>) -> Option<String> {
        self.env
            .get(env)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .or(file.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()))
    }

    fn parse<T: std::str::FromStr>(
        &mut self,
        env: &str,
        file: Option<String>,
        hint: &str,
    ) -> Option<T>
    where
        T::Err: fmt::Display,
    {
        let raw = self.pick(env, file)?;
        match raw.parse::<T>() {
            Ok(v) => Some(v),
            Err(e) => {
                self.problems.push(format!("{env}: {e}. {hint}"));
                None
            }
        }
    }

    fn number<T>(&mut self, env: &str, file: Option<T>, hint: &str) -> Option<T>
    where
        T: std::str::FromStr + ToString,
        T::Err: fmt::Display,
    {
        self.parse(env, file.map(|v| v.to_string()), hint)
    }
}

/// Reads, overlays and validates the configuration.
pub fn load(source: &Source) -> Result<Config, ConfigError> {
    let file = match &source.file {
        Some(path) => read_file(path)?,
        None => FileConfig::default(),
    };
    let mut r = Reader {
        env: &source.env,
        problems: Vec::new(),
    };

    let bind: SocketAddr = r
        .parse(
            "RAMAL_BIND",
            file.server.bind,
            "Write it as host:port, e.g. 127.0.0.1:8080.",
        )
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));

    let public_url = match r.pick("RAMAL_PUBLIC_URL", file.server.public_url) {
        Some(raw) => match PublicUrl::parse(&raw) {
            Ok(url) => Some(url),
            Err(e) => {
                r.problems.push(format!("RAMAL_PUBLIC_URL: {e}"));
                None
            }
        },
        // Local use: browsers reach the bound address directly.
        None => PublicUrl::parse(&format!("http://{bind}")).ok(),
    };

    let data_dir = PathBuf::from(
        r.pick("RAMAL_DATA_DIR", file.server.data_dir)
            .unwrap_or_else(|| "data".to_owned()),
    );
    let spool_dir = r
        .pick("RAMAL_SPOOL_DIR", file.server.spool_dir)
        .map_or_else(|| data_dir.join("spool"), PathBuf::from);
    let database_url = r
        .pick("RAMAL_DATABASE_URL", file.database.url)
        // Relative to the data directory (where call-store resolves relative SQLite paths);
        // naming the data directory here too would nest it (`data/data/ramal.db`).
        .unwrap_or_else(|| "sqlite://ramal.db".to_owned());
    if !(database_url.starts_with("postgres://")
        || database_url.starts_with("postgresql://")
        || database_url.starts_with("sqlite://")
        || !database_url.contains("://"))
    {
        r.problems.push(format!(
            "RAMAL_DATABASE_URL: {:?} is neither a SQLite path (sqlite://file.db) nor postgres://...",
            database_url.split("://").next().unwrap_or_default()
        ));
    }

    let twilio = read_twilio(&mut r, file.twilio.clone());
    let twilio_api_base = r
        .pick("RAMAL_TWILIO_API_BASE", file.twilio.api_base)
        .unwrap_or_else(|| "https://api.twilio.com".to_owned())
        .trim_end_matches('/')
        .to_owned();
    if !(twilio_api_base.starts_with("https://") || twilio_api_base.starts_with("http://")) {
        r.problems.push(format!(
            "RAMAL_TWILIO_API_BASE: {twilio_api_base:?} must be an http(s) URL (default https://api.twilio.com)"
        ));
    }

    let calls = read_calls(&mut r, file.calls, twilio.as_ref().map(|t| &t.phone_number));
    let auth = read_auth(&mut r, file.auth);
    let max_body_bytes = r
        .number(
            "RAMAL_MAX_BODY_BYTES",
            file.server.max_body_bytes,
            "A size in bytes, e.g. 65536.",
        )
        .unwrap_or(64 * 1024);

    let recordings = super::recordings::read(r.env, file.recordings, file.drive, &mut r.problems);

    let demo = match r.parse::<bool>(
        "RAMAL_DEMO",
        file.server.demo.map(|b| b.to_string()),
        "Use true or false.",
    ) {
        Some(true) if twilio.is_some() => {
            r.problems.push(
                "RAMAL_DEMO=true with a Twilio account configured: demo mode replaces Twilio by a simulator; unset one of them".into(),
            );
            false
        }
        Some(demo) => demo,
        None => twilio.is_none(),
    };

    if !r.problems.is_empty() {
        return Err(ConfigError {
            problems: r.problems,
        });
    }
    Ok(Config {
        bind,
        public_url: public_url.expect("checked above"),
        data_dir,
        spool_dir,
        database_url,
        twilio,
        twilio_api_base,
        calls: calls.expect("checked above"),
        auth,
        max_body_bytes,
        demo,
        recordings,
    })
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        problems: vec![format!(
            "cannot read the configuration file {}: {e}",
            path.display()
        )],
    })?;
    toml::from_str(&text).map_err(|e| ConfigError {
        problems: vec![format!("{}: {}", path.display(), e.message())],
    })
}

const TWILIO_VARS: [&str; 6] = [
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_API_KEY_SID",
    "TWILIO_API_KEY_SECRET",
    "TWILIO_TWIML_APP_SID",
    "TWILIO_PHONE_NUMBER",
];

fn read_twilio(r: &mut Reader<'_>, f: FileTwilio) -> Option<TwilioConfig> {
    let raw = [
        r.pick(TWILIO_VARS[0], f.account_sid),
        r.pick(TWILIO_VARS[1], f.auth_token),
        r.pick(TWILIO_VARS[2], f.api_key_sid),
        r.pick(TWILIO_VARS[3], f.api_key_secret),
        r.pick(TWILIO_VARS[4], f.twiml_app_sid),
        r.pick(TWILIO_VARS[5], f.phone_number),
    ];
    if raw.iter().all(Option::is_none) {
        return None;
    }
    let missing: Vec<&str> = TWILIO_VARS
        .iter()
        .zip(&raw)
        .filter(|(_, v)| v.is_none())
        .map(|(name, _)| *name)
        .collect();
    if !missing.is_empty() {
        r.problems.push(format!(
            "{} not set: a Twilio account needs all six TWILIO_* values (Console -> Account -> API keys & tokens)",
            missing.join(", ")
        ));
        return None;
    }
    let [account, token, key, secret, app, phone] = raw.map(Option::unwrap);

    let account_sid = sid(r, "TWILIO_ACCOUNT_SID", &account);
    let api_key_sid = sid(r, "TWILIO_API_KEY_SID", &key);
    let twiml_app_sid = sid(r, "TWILIO_TWIML_APP_SID", &app);
    if token.len() != 32 {
        r.problems.push(format!(
            "TWILIO_AUTH_TOKEN has {} characters; an Auth Token has 32 (Console -> Account -> API keys & tokens)",
            token.len()
        ));
    }
    if secret.len() != 32 {
        r.problems.push(format!(
            "TWILIO_API_KEY_SECRET has {} characters; an API key secret has 32 (shown once when the key is created)",
            secret.len()
        ));
    }
    let phone_number = match E164::parse(&phone) {
        Ok(n) => Some(n),
        Err(e) => {
            r.problems.push(format!(
                "TWILIO_PHONE_NUMBER: {e}. Write it in E.164, e.g. +553123916801"
            ));
            None
        }
    };
    let webhook_keys = match r.pick("RAMAL_TWILIO_WEBHOOK_KEYS", f.webhook_keys) {
        None => HashMap::new(),
        Some(list) => {
            let mut keys = HashMap::new();
            for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                match item.split_once(':') {
                    Some((id, secret)) if !id.is_empty() && !secret.is_empty() => {
                        keys.insert(id.to_owned(), Secret::new(secret));
                    }
                    _ => r.problems.push(
                        "RAMAL_TWILIO_WEBHOOK_KEYS: write it as keyid:secret[,keyid:secret]".into(),
                    ),
                }
            }
            keys
        }
    };
    Some(TwilioConfig {
        account_sid: account_sid?,
        auth_token: Secret::new(token),
        api_key_sid: api_key_sid?,
        api_key_secret: Secret::new(secret),
        twiml_app_sid: twiml_app_sid?,
        phone_number: phone_number?,
        webhook_keys,
    })
}

fn sid<T: std::str::FromStr>(r: &mut Reader<'_>, var: &str, raw: &str) -> Option<T>
where
    T::Err: fmt::Display,
{
    match raw.parse::<T>() {
        Ok(v) => Some(v),
        Err(e) => {
            r.problems.push(format!("{var}: {e}"));
            None
        }
    }
}

fn read_calls(r: &mut Reader<'_>, f: FileCalls, our_number: Option<&E164>) -> Option<CallPolicy> {
    let language = r
        .pick("RAMAL_LANGUAGE", f.language)
        .unwrap_or_else(|| "pt-BR".to_owned());
    let recording = match r.pick("RAMAL_RECORDING", f.recording) {
        None => twiml_builder::DialRecord::RecordFromAnswer,
        Some(raw) => match raw.as_str() {
            "do-not-record" => twiml_builder::DialRecord::DoNotRecord,
            "record-from-answer" => twiml_builder::DialRecord::RecordFromAnswer,
            "record-from-ringing" => twiml_builder::DialRecord::RecordFromRinging,
            "record-from-answer-dual" => twiml_builder::DialRecord::RecordFromAnswerDual,
            "record-from-ringing-dual" => twiml_builder::DialRecord::RecordFromRingingDual,
            other => {
                r.problems.push(format!(
                    "RAMAL_RECORDING: {other:?} is not a recording mode; use do-not-record, record-from-answer, record-from-ringing, record-from-answer-dual or record-from-ringing-dual"
                ));
                twiml_builder::DialRecord::RecordFromAnswer
            }
        },
    };
    let ring_timeout_secs = r
        .number("RAMAL_RING_TIMEOUT", f.ring_timeout, "Seconds, 5 to 600.")
        .unwrap_or(30);
    if !(5..=600).contains(&ring_timeout_secs) {
        r.problems.push(format!(
            "RAMAL_RING_TIMEOUT: {ring_timeout_secs} is outside Twilio's 5..600 seconds"
        ));
    }
    let prefixes: Option<Vec<String>> = match r.env.get("RAMAL_ALLOWED_DESTINATIONS") {
        Some(list) => Some(
            list.split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
        ),
        None => f.allowed_destinations,
    };
    let destinations = match prefixes {
        Some(prefixes) => match DestinationPolicy::from_prefixes(&prefixes) {
            Ok(p) => Some(p),
            Err(e) => {
                r.problems.push(format!("RAMAL_ALLOWED_DESTINATIONS: {e}"));
                None
            }
        },
        // Default: the country of our own number, the usual scope of a call centre.
        None => Some(match our_number {
            Some(n) => DestinationPolicy::same_country_as(n),
            None => DestinationPolicy::from_prefixes(&["+55".to_owned()]).expect("valid prefix"),
        }),
    };
    let voicemail = r
        .parse(
            "RAMAL_VOICEMAIL",
            f.voicemail.map(|b| b.to_string()),
            "Use true or false.",
        )
        .unwrap_or(true);
    let defaults = Messages::defaults_for(&language);
    let messages = Messages {
        greeting: r
            .pick("RAMAL_GREETING", f.greeting)
            .unwrap_or(defaults.greeting),
        unavailable: r
            .pick("RAMAL_UNAVAILABLE_MESSAGE", f.unavailable_message)
            .unwrap_or(defaults.unavailable),
        voicemail_prompt: r
            .pick("RAMAL_VOICEMAIL_PROMPT", f.voicemail_prompt)
            .unwrap_or(defaults.voicemail_prompt),
        ..defaults
    };
    Some(CallPolicy {
        language,
        recording,
        ring_timeout_secs,
        destinations: destinations?,
        voicemail,
        messages,
    })
}

fn read_auth(r: &mut Reader<'_>, f: FileAuth) -> AuthConfig {
    let session_secret = r
        .pick("RAMAL_SESSION_SECRET", f.session_secret)
        .map(Secret::new);
    if let Some(s) = session_secret.as_ref().filter(|s| s.len() < 32) {
        r.problems.push(format!(
            "RAMAL_SESSION_SECRET has {} characters; use at least 32 random ones (e.g. `openssl rand -hex 32`)",
            s.len()
        ));
    }
    let session_ttl = r
        .number("RAMAL_SESSION_TTL", f.session_ttl, "Seconds.")
        .unwrap_or(12 * 3600);
    let token_ttl_secs = r
        .number("RAMAL_TOKEN_TTL", f.token_ttl, "Seconds, at most 86400.")
        .unwrap_or(3600);
    if !(60..=86_400).contains(&token_ttl_secs) {
        r.problems.push(format!(
            "RAMAL_TOKEN_TTL: {token_ttl_secs} s is outside 60..86400 (Twilio refuses tokens living over 24 h: error 20104)"
        ));
    }
    let recording_link_ttl = r
        .number("RAMAL_RECORDING_LINK_TTL", f.recording_link_ttl, "Seconds.")
        .unwrap_or(3600);
    let trusted_proxies = r
        .pick("RAMAL_TRUSTED_PROXIES", f.trusted_proxies)
        .unwrap_or_else(|| "127.0.0.1,::1".to_owned())
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty() && *a != "none")
        .filter_map(|a| match a.parse() {
            Ok(ip) => Some(ip),
            Err(_) => {
                r.problems.push(format!(
                    "RAMAL_TRUSTED_PROXIES: {a:?} is not an IP address (list the proxies' addresses, comma-separated, or `none`)"
                ));
                None
            }
        })
        .collect();

    let hs = r.pick(
        "RAMAL_EXTERNAL_JWT_HS256_SECRET",
        f.external_jwt_hs256_secret,
    );
    let rs = r.pick(
        "RAMAL_EXTERNAL_JWT_RS256_PUBLIC_KEY",
        f.external_jwt_rs256_public_key,
    );
    let key = match (hs, rs) {
        (None, None) => None,
        (Some(_), Some(_)) => {
            r.problems.push(
                "RAMAL_EXTERNAL_JWT_HS256_SECRET and RAMAL_EXTERNAL_JWT_RS256_PUBLIC_KEY are both set: choose one".into(),
            );
            None
        }
        (Some(secret), None) => Some(ExternalJwtKey::Hs256(Secret::new(secret))),
        (None, Some(path)) => match std::fs::read(&path) {
            Ok(pem) => Some(ExternalJwtKey::Rs256(pem)),
            Err(e) => {
                r.problems.push(format!(
                    "RAMAL_EXTERNAL_JWT_RS256_PUBLIC_KEY: cannot read {path}: {e}"
                ));
                None
            }
        },
    };
    let external_jwt = key.map(|key| ExternalJwtConfig {
        key,
        id_claim: r
            .pick("RAMAL_EXTERNAL_JWT_ID_CLAIM", f.external_jwt_id_claim)
            .unwrap_or_else(|| "sub".to_owned()),
        name_claim: r
            .pick("RAMAL_EXTERNAL_JWT_NAME_CLAIM", f.external_jwt_name_claim)
            .unwrap_or_else(|| "name".to_owned()),
        issuer: r.pick("RAMAL_EXTERNAL_JWT_ISSUER", f.external_jwt_issuer),
        audience: r.pick("RAMAL_EXTERNAL_JWT_AUDIENCE", f.external_jwt_audience),
    });
    AuthConfig {
        session_secret,
        session_ttl: Duration::from_secs(session_ttl),
        token_ttl_secs,
        recording_link_ttl: Duration::from_secs(recording_link_ttl),
        external_jwt,
        trusted_proxies,
    }
}

impl Messages {
    /// Default spoken texts for a language (Brazilian Portuguese unless English is asked for).
    pub fn defaults_for(language: &str) -> Self {
        if language.to_ascii_lowercase().starts_with("en") {
            Self {
                greeting: "Please wait while we connect your call.".into(),
                unavailable: "Sorry, nobody is available right now.".into(),
                voicemail_prompt: "Please leave a message after the beep.".into(),
                no_destination: "No destination was given.".into(),
                destination_refused: "This destination is not allowed.".into(),
                unknown_agent: "This phone is not authorised to place calls.".into(),
            }
        } else {
            Self {
                greeting: "Aguarde enquanto conectamos sua ligação.".into(),
                unavailable: "Desculpe, ninguém está disponível no momento.".into(),
                voicemail_prompt: "Deixe sua mensagem após o sinal.".into(),
                no_destination: "Nenhum destino informado.".into(),
                destination_refused: "Este destino não é permitido.".into(),
                unknown_agent: "Este telefone não está autorizado a fazer ligações.".into(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Source {
        Source {
            file: None,
            env: pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    const FULL: [(&str, &str); 7] = [
        ("TWILIO_ACCOUNT_SID", "AC0123456789abcdef0123456789abcdef"),
        ("TWILIO_AUTH_TOKEN", "0123456789abcdef0123456789abcdef"),
        ("TWILIO_API_KEY_SID", "SK0123456789abcdef0123456789abcdef"),
        ("TWILIO_API_KEY_SECRET", "abcdef0123456789abcdef0123456789"),
        ("TWILIO_TWIML_APP_SID", "AP0123456789abcdef0123456789abcdef"),
        ("TWILIO_PHONE_NUMBER", "+553123916801"),
        ("RAMAL_PUBLIC_URL", "https://ramal.example.com"),
    ];

    #[test]
    fn defaults_run_locally_without_twilio() {
        let c = load(&env(&[])).unwrap();
        assert!(c.twilio.is_none());
        assert!(c.demo, "no Twilio account: demo mode");
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(c.public_url.base(), "http://127.0.0.1:8080");
        assert!(c.database_url.starts_with("sqlite://"));
        // The default database is directly in the data directory.
        assert_eq!(
            call_store::StoreTarget::parse(&c.database_url, &c.data_dir).unwrap(),
            call_store::StoreTarget::Sqlite(std::path::PathBuf::from("data/ramal.db"))
        );
        assert_eq!(c.calls.language, "pt-BR");
        assert_eq!(c.calls.ring_timeout_secs, 30);
    }

    #[test]
    fn full_twilio_config_is_typed() {
        let c = load(&env(&FULL)).unwrap();
        assert!(!c.demo);
        let t = c.twilio.unwrap();
        assert_eq!(t.phone_number.as_str(), "+553123916801");
        assert!(
            c.calls
                .destinations
                .allows(&E164::parse("+5531999999999").unwrap())
        );
        assert!(
            !c.calls
                .destinations
                .allows(&E164::parse("+14155550100").unwrap())
        );
    }

    #[test]
    fn environment_wins_over_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ramal.toml");
        std::fs::write(
            &path,
            "[server]\nbind = \"127.0.0.1:9000\"\n[calls]\nlanguage = \"en-US\"\n",
        )
        .unwrap();
        let mut source = env(&[("RAMAL_BIND", "127.0.0.1:9100")]);
        source.file = Some(path);
        let c = load(&source).unwrap();
        assert_eq!(c.bind.port(), 9100);
        assert_eq!(c.calls.language, "en-US");
        assert!(c.calls.messages.greeting.starts_with("Please wait"));
    }

    #[test]
    fn swapped_sids_and_partial_accounts_are_explained() {
        let mut pairs = FULL.to_vec();
        pairs[2] = ("TWILIO_API_KEY_SID", "AC0123456789abcdef0123456789abcdef");
        let err = load(&env(&pairs)).unwrap_err();
        assert!(
            err.problems
                .iter()
                .any(|p| p.starts_with("TWILIO_API_KEY_SID")),
            "{err}"
        );

        let err = load(&env(&FULL[..2])).unwrap_err();
        assert!(err.to_string().contains("TWILIO_API_KEY_SID"), "{err}");
        assert!(err.to_string().contains("TWILIO_PHONE_NUMBER"), "{err}");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let err = load(&env(&[
            ("RAMAL_BIND", "nonsense"),
            ("RAMAL_PUBLIC_URL", "ramal.example.com"),
            ("RAMAL_RING_TIMEOUT", "2"),
            ("RAMAL_RECORDING", "always"),
            ("RAMAL_TOKEN_TTL", "90000"),
        ]))
        .unwrap_err();
        assert_eq!(err.problems.len(), 5, "{err}");
    }

    #[test]
    fn example_config_parses_and_names_only_real_variables() {
        let example = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../config/ramal.example.toml"
        );
        let c = load(&Source {
            file: Some(example.into()),
            env: HashMap::new(),
        })
        .unwrap();
        assert_eq!(c.calls.ring_timeout_secs, 30);
        // Every variable the example documents is one this loader reads, and vice versa.
        let text = std::fs::read_to_string(example).unwrap();
        // The recording pipeline's variables are read in recordings.rs.
        let source = concat!(include_str!("load.rs"), include_str!("recordings.rs"));
        let documented: std::collections::BTreeSet<&str> = text
            .split(|c: char| !(c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit()))
            .filter(|w| w.starts_with("RAMAL_") || w.starts_with("TWILIO_"))
            .collect();
        for var in &documented {
            assert!(
                source.contains(&format!("\"{var}\"")),
                "{var} documented but not read"
            );
        }
        for var in source
            .split('"')
            .filter(|w| (w.starts_with("RAMAL_") || w.starts_with("TWILIO_")) && !w.contains(' '))
            .filter(|w| !w.ends_with('_'))
        {
            if var != "RAMAL_CONFIG" {
                assert!(
                    documented.contains(var),
                    "{var} read but not documented in the example"
                );
            }
        }
    }

    #[test]
    fn unknown_file_keys_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ramal.toml");
        std::fs::write(&path, "[server]\nbnd = \"x\"\n").unwrap();
        let err = load(&Source {
            file: Some(path),
            env: HashMap::new(),
        })
        .unwrap_err();
        assert!(err.to_string().contains("bnd"), "{err}");
    }
}
