//! The operator documentation cannot drift from the code.
//!
//! - Every environment variable the server reads is documented in `docs/en/configuration.md`
//!   and `docs/pt-BR/configuration.md`, and those pages name no variable the server does not
//!   read.
//! - Every `/api/...` path named anywhere in `docs/en` and `docs/pt-BR` is a real route.
//! - Every error code the webphone can show (`frontend/src/phone/errors.ts`) is explained in
//!   both `troubleshooting.md` pages.
//!
//! The variables come from the same source of truth as the unit test that keeps
//! `config/ramal.example.toml` in sync (`example_config_parses_and_names_only_real_variables` in
//! `src/config/load.rs`): the quoted `RAMAL_*` / `TWILIO_*` names in the server's source. That
//! test reads `src/config/load.rs` and `src/config/recordings.rs`; this one scans every file
//! under `src/`, so variables read outside the config module (`RAMAL_LOG` in `cli.rs`) and
//! `RAMAL_CONFIG` (which the example file cannot list) must be documented too. The few
//! variable-shaped names that are not settings of a running server are listed, with the reason,
//! in [`NOT_SETTINGS`].

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// The two configuration references, one per language.
const CONFIG_DOCS: [&str; 2] = [
    "../../docs/en/configuration.md",
    "../../docs/pt-BR/configuration.md",
];

/// The two troubleshooting pages.
const TROUBLESHOOTING_DOCS: [&str; 2] = [
    "../../docs/en/troubleshooting.md",
    "../../docs/pt-BR/troubleshooting.md",
];

/// Where the webphone lists the error codes it can show.
const WEBPHONE_ERRORS: &str = "../../frontend/src/phone/errors.ts";

/// The documentation folders whose route mentions are checked.
const DOC_DIRS: [&str; 2] = ["../../docs/en", "../../docs/pt-BR"];

fn read(relative: &str) -> String {
    let path = Path::new(MANIFEST_DIR).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Files under `dir` whose name ends with `ext`, recursively, in a stable order.
fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            out.extend(files(&path, ext));
        } else if path.to_string_lossy().ends_with(ext) {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Whether `word` is shaped like one of our variables: `RAMAL_`/`TWILIO_` then upper-case
/// letters, digits and underscores, not ending in `_` (that is a prefix such as `RAMAL_DRIVE_*`).
fn is_variable(word: &str) -> bool {
    (word.starts_with("RAMAL_") || word.starts_with("TWILIO_"))
        && !word.ends_with('_')
        && word
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// Variable-shaped literals of the source that are not settings of a running server, each with
/// the reason. A name listed here must still occur in the source, so the list cannot rot.
const NOT_SETTINGS: [(&str, &str); 2] = [
    (
        "RAMAL_BUILD_REVISION",
        "set by build.rs at compile time, read with env!() for `ramal --version`",
    ),
    (
        "RAMAL_FUZZ_CASES",
        "cases per property of the #[cfg(test)] fuzz suites: a test knob",
    ),
];

/// Every string literal of the server's source that is exactly a variable name.
fn variable_literals() -> BTreeSet<String> {
    let mut vars = BTreeSet::new();
    for file in files(&Path::new(MANIFEST_DIR).join("src"), ".rs") {
        let text = std::fs::read_to_string(&file).expect("read a source file");
        // Between two quotes: the literal's text (or code between literals, which never has
        // a variable's shape).
        vars.extend(
            text.split('"')
                .filter(|w| is_variable(w))
                .map(str::to_owned),
        );
    }
    vars
}

/// Every variable the server reads.
fn variables_read() -> BTreeSet<String> {
    let mut vars = variable_literals();
    for (name, why) in NOT_SETTINGS {
        assert!(
            vars.remove(name),
            "{name} is no longer in the source ({why}): remove it from NOT_SETTINGS"
        );
    }
    vars
}

/// Every variable-shaped word of a document.
fn variables_named(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| is_variable(w))
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_variable_the_server_reads_is_documented_in_both_languages() {
    let read_by_code = variables_read();
    // Guards against a scan that silently finds nothing (a moved folder, a changed quoting).
    for expected in [
        "TWILIO_ACCOUNT_SID",
        "TWILIO_PHONE_NUMBER",
        "RAMAL_PUBLIC_URL",
        "RAMAL_DRIVE_FOLDER_ID",
        "RAMAL_LOG",
        "RAMAL_CONFIG",
    ] {
        assert!(
            read_by_code.contains(expected),
            "the source scan no longer finds {expected}: fix variables_read()"
        );
    }

    let mut problems = Vec::new();
    for doc in CONFIG_DOCS {
        let text = read(doc);
        for var in &read_by_code {
            // Documented means named as code: `VAR`.
            if !text.contains(&format!("`{var}`")) {
                problems.push(format!(
                    "{doc}: {var} is read by the server but not documented"
                ));
            }
        }
        for var in variables_named(&text).difference(&read_by_code) {
            problems.push(format!(
                "{doc}: {var} is documented but the server never reads it"
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn every_api_path_in_the_docs_is_a_route() {
    let routes: BTreeSet<&str> = http_api::routes::ROUTES.iter().map(|(_, p)| *p).collect();
    let mut checked = 0;
    let mut problems = Vec::new();
    for dir in DOC_DIRS {
        let docs = files(&Path::new(MANIFEST_DIR).join(dir), ".md");
        assert!(!docs.is_empty(), "no documentation found in {dir}");
        for doc in docs {
            let text = std::fs::read_to_string(&doc).expect("read a doc");
            for (at, _) in text.match_indices("/api/") {
                let path: String = text[at..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || "/{}._-".contains(*c))
                    .collect();
                // A path ending a sentence keeps its full stop out.
                let path = path.trim_end_matches('.');
                checked += 1;
                // `/api/twilio/` names the folder of several routes.
                let known = if path.ends_with('/') {
                    routes.iter().any(|r| r.starts_with(path))
                } else {
                    routes.contains(path)
                };
                if !known {
                    problems.push(format!("{}: {path} is not a route", doc.display()));
                }
            }
        }
    }
    assert!(checked > 0, "the docs name no /api/ path at all");
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// The items of the TypeScript array literal `export const <name> = [ ... ]`.
fn ts_array(source: &str, name: &str) -> Vec<String> {
    let start = source
        .find(&format!("export const {name} = ["))
        .unwrap_or_else(|| panic!("{WEBPHONE_ERRORS} no longer declares {name}"));
    let body = &source[start..];
    let open = body.find('[').expect("an array literal");
    let close = body.find(']').expect("the end of the array literal");
    body[open + 1..close]
        .split(',')
        .map(|item| item.trim().trim_matches('\'').to_owned())
        .filter(|item| !item.is_empty())
        .collect()
}

#[test]
fn every_webphone_error_code_is_explained_in_both_languages() {
    let source = read(WEBPHONE_ERRORS);
    let twilio = ts_array(&source, "TWILIO_ERROR_CODES");
    let app = ts_array(&source, "APP_ERROR_CODES");
    assert!(
        twilio.iter().any(|c| c == "31204") && app.iter().any(|c| c == "unknown"),
        "the error code lists were not parsed: fix ts_array()"
    );
    let mut problems = Vec::new();
    for doc in TROUBLESHOOTING_DOCS {
        let text = read(doc);
        // A code is explained by its own table row.
        for code in &twilio {
            if !text.contains(&format!("\n| {code} |")) {
                problems.push(format!("{doc}: no row for Twilio error {code}"));
            }
        }
        for code in &app {
            if !text.contains(&format!("\n| `{code}` |")) {
                problems.push(format!("{doc}: no row for the webphone's {code:?}"));
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
