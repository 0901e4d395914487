//! Google Drive: the credentials get a token, the folder exists and takes files, and a service
//! account is not about to hit the no-quota trap (seed problem 9.7).

use std::time::Duration;

use drive_uploader::{Credentials, DRIVE_SCOPE, DriveAuth};
use serde_json::Value;

use super::report::Report;
use crate::config::{Config, DriveConfig, SinkKind};

/// How long one Google call may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The MIME type of a Drive folder.
const FOLDER_MIME: &str = "application/vnd.google-apps.folder";

/// Where the folder lives and what the account may do there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FolderFacts {
    name: String,
    is_folder: bool,
    trashed: bool,
    /// Set only for items in a shared drive.
    shared_drive: Option<String>,
    can_add_children: Option<bool>,
}

impl FolderFacts {
    /// Reads a `files.get` answer.
    pub(super) fn from_json(file: &Value) -> Self {
        Self {
            name: file["name"].as_str().unwrap_or("").to_owned(),
            is_folder: file["mimeType"].as_str() == Some(FOLDER_MIME),
            trashed: file["trashed"].as_bool().unwrap_or(false),
            shared_drive: file["driveId"]
                .as_str()
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            can_add_children: file["capabilities"]["canAddChildren"].as_bool(),
        }
    }
}

/// Judges the folder for these credentials. Pure, so each verdict is tested without Google.
pub(super) fn judge(
    facts: &FolderFacts,
    credentials: &Credentials,
    folder: &str,
    report: &mut Report,
) {
    let label = format!("folder {folder} ({:?})", facts.name);
    if !facts.is_folder {
        report.problem(
            "drive",
            format!("RAMAL_DRIVE_FOLDER_ID names {label}, which is not a folder"),
            "copy the id from the folder's URL (…/folders/<id>)",
        );
        return;
    }
    if facts.trashed {
        report.problem(
            "drive",
            format!("{label} is in the trash"),
            "restore it, or create a new folder and set RAMAL_DRIVE_FOLDER_ID",
        );
    }
    if facts.can_add_children == Some(false) {
        report.problem(
            "drive",
            format!("{label}: the account may read it but not add files"),
            "give the account the Content manager role on the shared drive (or Editor on the folder)",
        );
    }
    let no_quota = matches!(
        credentials,
        Credentials::ServiceAccount { subject: None, .. }
    );
    match (&facts.shared_drive, no_quota) {
        (None, true) => report.problem(
            "drive",
            format!(
                "{label} is in someone's My Drive, and a service account has no storage quota: \
                 every upload would fail with storageQuotaExceeded (seed problem 9.7; sharing a \
                 personal folder no longer works)"
            ),
            "use a folder in a shared drive with the service account as Content manager, or set \
             RAMAL_DRIVE_IMPERSONATE (domain-wide delegation), or use a user's OAuth grant (RAMAL_DRIVE_CLIENT_ID ...)",
        ),
        (None, false) => report.ok(
            "drive",
            format!("{label} is in a My Drive; files count against the user's quota"),
        ),
        (Some(drive), _) => report.ok(
            "drive",
            format!("{label} is in shared drive {drive}; files count against the shared drive"),
        ),
    }
}

/// Runs the Drive checks when recordings go to Drive.
pub(super) async fn check(config: &Config, report: &mut Report) {
    if !config.recordings.sinks.contains(&SinkKind::Drive) {
        return;
    }
    let Some(drive) = &config.recordings.drive else {
        return; // the loader reported why
    };
    match &drive.credentials {
        Credentials::ServiceAccount { key, subject } => report.ok(
            "drive",
            format!(
                "service account key of {} parsed{}; Ramal asks for the scope {DRIVE_SCOPE} (drive.file \
                 would not see a folder a person made, seed 8.2)",
                key.client_email(),
                subject
                    .as_deref()
                    .map(|s| format!(", acting as {s}"))
                    .unwrap_or_default()
            ),
        ),
        Credentials::User(user) => report.ok(
            "drive",
            format!(
                "user OAuth grant of client {} configured; it must have been granted {DRIVE_SCOPE}",
                user.client_id
            ),
        ),
    }
    let http = match reqwest::Client::builder().timeout(REQUEST_TIMEOUT).build() {
        Ok(h) => h,
        Err(e) => {
            report.skipped("drive", format!("cannot build an HTTP client: {e}"));
            return;
        }
    };
    let auth = DriveAuth::new(drive.credentials.clone(), http.clone());
    let token = match auth.token().await {
        Ok(t) => t,
        Err(e) => {
            report.problem(
                "drive",
                format!("Google refused the Drive credentials: {e}"),
                "download a new key (IAM -> Service accounts -> Keys), or redo the user's consent",
            );
            return;
        }
    };
    report.ok(
        "drive",
        "Google issued an access token for these credentials",
    );
    folder(&http, drive, token.expose(), report).await;
}

async fn folder(http: &reqwest::Client, drive: &DriveConfig, token: &str, report: &mut Report) {
    let id = drive.folder.as_str();
    let url = format!(
        "{}/drive/v3/files/{id}?supportsAllDrives=true&fields=id,name,mimeType,driveId,trashed,capabilities/canAddChildren",
        drive.api_base
    );
    let response = match http.get(&url).bearer_auth(token).send().await {
        Ok(r) => r,
        Err(e) => {
            report.warn(
                "drive",
                format!(
                    "cannot reach Google Drive at {}: {}",
                    drive.api_base,
                    super::twilio_api::transport_error(&e)
                ),
                "run the doctor where ramal runs; it needs outbound https to www.googleapis.com",
            );
            return;
        }
    };
    let status = response.status();
    let body: Value = match response.bytes().await {
        Ok(b) => serde_json::from_slice(&b).unwrap_or(Value::Null),
        Err(_) => Value::Null,
    };
    if status.is_success() {
        judge(
            &FolderFacts::from_json(&body),
            &drive.credentials,
            id,
            report,
        );
        return;
    }
    let message = body["error"]["message"].as_str().unwrap_or("no detail");
    let who = match &drive.credentials {
        Credentials::ServiceAccount { key, .. } => key.client_email().to_owned(),
        Credentials::User(_) => "the user of the OAuth grant".to_owned(),
    };
    if status.as_u16() == 404 {
        report.problem(
            "drive",
            format!("folder {id} is not visible to {who} (404: {message})"),
            "add the account to the shared drive (Content manager), check RAMAL_DRIVE_FOLDER_ID, \
             and for a user grant make sure it has the drive scope, not drive.file",
        );
    } else {
        report.problem(
            "drive",
            format!("Drive refused to show folder {id} ({status}: {message})"),
            "check the account's access to the folder",
        );
    }
}

#[cfg(test)]
mod tests {
    use drive_uploader::{Hidden, UserRefreshToken};
    use serde_json::json;

    use super::*;

    fn service_account(subject: Option<&str>) -> Credentials {
        let key = drive_uploader::ServiceAccountKey::from_json(
            &json!({
                "type": "service_account",
                "client_email": "ramal@p.iam.gserviceaccount.com",
                "private_key": "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n",
            })
            .to_string(),
        )
        .unwrap();
        Credentials::ServiceAccount {
            key,
            subject: subject.map(str::to_owned),
        }
    }

    fn folder(drive_id: Option<&str>) -> FolderFacts {
        let mut file = json!({
            "id": "f1", "name": "Gravações", "mimeType": FOLDER_MIME, "trashed": false,
            "capabilities": {"canAddChildren": true},
        });
        if let Some(d) = drive_id {
            file["driveId"] = json!(d);
        }
        FolderFacts::from_json(&file)
    }

    #[test]
    fn a_service_account_in_a_my_drive_folder_has_no_quota() {
        let mut report = Report::default();
        judge(&folder(None), &service_account(None), "f1", &mut report);
        assert!(report.has_problems());
        assert!(report.render().contains("9.7"));
    }

    #[test]
    fn shared_drives_impersonation_and_user_grants_have_quota() {
        let user = Credentials::User(UserRefreshToken {
            client_id: "c".into(),
            client_secret: Hidden::new("s"),
            refresh_token: Hidden::new("r"),
            token_uri: "https://oauth2.googleapis.com/token".into(),
        });
        for (facts, credentials) in [
            (folder(Some("0AB")), service_account(None)),
            (folder(None), service_account(Some("ana@example.com"))),
            (folder(None), user),
        ] {
            let mut report = Report::default();
            judge(&facts, &credentials, "f1", &mut report);
            assert!(!report.has_problems(), "{report:?}");
        }
    }

    #[test]
    fn a_file_a_trashed_folder_and_a_read_only_folder_are_problems() {
        let not_folder =
            FolderFacts::from_json(&json!({"name": "a.txt", "mimeType": "text/plain"}));
        let mut trashed = folder(Some("0AB"));
        trashed.trashed = true;
        let mut read_only = folder(Some("0AB"));
        read_only.can_add_children = Some(false);
        for facts in [not_folder, trashed, read_only] {
            let mut report = Report::default();
            judge(&facts, &service_account(None), "f1", &mut report);
            assert!(report.has_problems(), "{facts:?}");
        }
    }
}
