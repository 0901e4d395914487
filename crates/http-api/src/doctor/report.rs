//! What `ramal doctor` found, one line per finding, and the exit status it implies.

use std::fmt::Write as _;

/// How a finding affects the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Checked and right.
    Ok,
    /// Worth knowing, not wrong (e.g. plain http on a laptop); does not fail the run.
    Warn,
    /// Wrong: Ramal will misbehave until it is fixed; fails the run.
    Problem,
    /// Was wrong and `--fix` corrected it.
    Fixed,
    /// Not checked, with the reason (e.g. Twilio unreachable, an earlier problem).
    Skipped,
}

impl Status {
    fn label(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Problem => "PROBLEM",
            Status::Fixed => "fixed",
            Status::Skipped => "skipped",
        }
    }
}

/// One line of the report: a status, the area checked and what was found (for a problem,
/// also how to fix it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The verdict.
    pub status: Status,
    /// The group of checks (`config`, `twilio`, `database`, ...).
    pub area: &'static str,
    /// What was found. Never a secret or a full phone number.
    pub message: String,
    /// How to fix it, for problems and warnings.
    pub fix: Option<String>,
}

/// Every finding, in the order the checks ran.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The findings.
    pub findings: Vec<Finding>,
}

impl Report {
    fn push(&mut self, status: Status, area: &'static str, message: String, fix: Option<String>) {
        self.findings.push(Finding {
            status,
            area,
            message,
            fix,
        });
    }

    /// Records something checked and found right.
    pub fn ok(&mut self, area: &'static str, message: impl Into<String>) {
        self.push(Status::Ok, area, message.into(), None);
    }

    /// Records something worth knowing that is not wrong.
    pub fn warn(&mut self, area: &'static str, message: impl Into<String>, fix: impl Into<String>) {
        self.push(Status::Warn, area, message.into(), Some(fix.into()));
    }

    /// Records a problem and how to fix it.
    pub fn problem(
        &mut self,
        area: &'static str,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.push(Status::Problem, area, message.into(), Some(fix.into()));
    }

    /// Records a problem whose message already says how to fix it (the config loader's).
    pub fn problem_explained(&mut self, area: &'static str, message: impl Into<String>) {
        self.push(Status::Problem, area, message.into(), None);
    }

    /// Records a problem `--fix` corrected.
    pub fn fixed(&mut self, area: &'static str, message: impl Into<String>) {
        self.push(Status::Fixed, area, message.into(), None);
    }

    /// Records a check that did not run, and why.
    pub fn skipped(&mut self, area: &'static str, message: impl Into<String>) {
        self.push(Status::Skipped, area, message.into(), None);
    }

    fn count(&self, status: Status) -> usize {
        self.findings.iter().filter(|f| f.status == status).count()
    }

    /// Whether anything is still wrong (fixed problems do not count).
    pub fn has_problems(&self) -> bool {
        self.count(Status::Problem) > 0
    }

    /// The report as printed: one line per finding, then a summary line.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for f in &self.findings {
            let _ = write!(out, "{:<8} {:<9} {}", f.status.label(), f.area, f.message);
            if let Some(fix) = &f.fix {
                let _ = write!(out, " -> {fix}");
            }
            out.push('\n');
        }
        let (problems, fixed, warnings) = (
            self.count(Status::Problem),
            self.count(Status::Fixed),
            self.count(Status::Warn),
        );
        let mut summary = match problems {
            0 => "no problem found".to_owned(),
            1 => "1 problem found".to_owned(),
            n => format!("{n} problems found"),
        };
        if fixed > 0 {
            let _ = write!(summary, ", {fixed} fixed");
        }
        if warnings > 0 {
            let _ = write!(
                summary,
                ", {warnings} warning{}",
                if warnings == 1 { "" } else { "s" }
            );
        }
        let _ = writeln!(out, "\n{summary}");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_finding_and_a_summary() {
        let mut r = Report::default();
        r.ok("config", "configuration is valid");
        r.problem(
            "twilio",
            "the number points at Twilio's demo URL",
            "run `ramal doctor --fix`",
        );
        r.fixed("twilio", "TwiML App voice URL set");
        r.warn("url", "plain http", "put TLS in front");
        assert!(r.has_problems());
        assert_eq!(
            r.render(),
            "ok       config    configuration is valid\n\
             PROBLEM  twilio    the number points at Twilio's demo URL -> run `ramal doctor --fix`\n\
             fixed    twilio    TwiML App voice URL set\n\
             warn     url       plain http -> put TLS in front\n\
             \n1 problem found, 1 fixed, 1 warning\n"
        );
    }

    #[test]
    fn fixed_problems_do_not_fail_the_run() {
        let mut r = Report::default();
        r.fixed("twilio", "number voice URL set");
        r.skipped("drive", "not configured");
        assert!(!r.has_problems());
        assert!(r.render().ends_with("\nno problem found, 1 fixed\n"));
    }
}
