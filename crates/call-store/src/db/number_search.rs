//! "Number contains" without scanning the history, on both backends.
//!
//! Migrations (SQLite 000006, PostgreSQL 000006) keep every distinct number (or client,
//! SIP address, caller-ID label) that a call has, each suffix of it cut to 32 characters
//! (the longest fragment a query accepts), and which calls have which number, by start
//! time, all maintained by triggers on `calls`. A number contains a fragment exactly when
//! one of its suffixes starts with the fragment, so the matching numbers are one range of
//! the suffix index, and their calls, newest first, come from one index: the cost follows
//! the matches, not the history. When the number is the only filter, only a page of those
//! calls is read (see [`Top`]).
//! That is the fast way for a rare number. A common one (our own number, `+55`) matches a
//! large share of the history; there, reading the history newest first with `LIKE` fills
//! a page after a few rows. Two bounded counts choose ([`choose`]); both ways return
//! exactly the calls `LIKE '%fragment%'` returns on that backend (SQLite's LIKE ignores
//! ASCII case, so SQLite stores and searches lowercased suffixes; PostgreSQL's does not).

use std::fmt::Write as _;

use crate::query::{Cursor, NumberFragment};

/// How the calls whose numbers contain a fragment are found.
#[derive(Debug, Clone)]
pub(crate) enum NumberMatch {
    /// `LIKE` on both number columns, reading the history in order.
    Like(NumberFragment),
    /// The calls of these numbers (ids in `phone_numbers`), found through their suffixes.
    Numbers(Vec<i64>),
}

/// A page query whose only filter is the number: the candidates can stop after the page.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Top {
    /// Where the page starts.
    pub(crate) cursor: Option<Cursor>,
    /// Rows the page reads (its size plus one, to know whether another page follows).
    pub(crate) rows: i64,
}

/// The calls of `numbers` as SQL for `call_id IN (...)`, newest first, limited to `top`'s
/// page when given. Every value is an integer from the database, written as a literal:
/// PostgreSQL then plans with the real values (a heavy number has its own statistics).
/// `numbers` is the SQL of the number ids: `IN (1, 2)` or `= ANY ('{1,2}')`.
pub(crate) fn candidates(numbers: &str, top: Option<Top>) -> String {
    let mut sql = format!("SELECT call_id FROM call_numbers WHERE number_id {numbers}");
    if let Some(top) = top {
        if let Some(cursor) = top.cursor {
            let (at, id) = (cursor.started_at_ms, cursor.id);
            let _ = write!(
                sql,
                " AND started_at <= {at} AND (started_at < {at} OR call_id < {id})"
            );
        }
        // A call has at most two numbers: twice the page holds the page's calls.
        let _ = write!(
            sql,
            " ORDER BY started_at DESC, call_id DESC LIMIT {}",
            top.rows.saturating_mul(2)
        );
    }
    sql
}

/// `1, 2, 3`.
pub(crate) fn id_list(ids: &[i64]) -> String {
    let mut out = String::with_capacity(ids.len() * 8);
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{id}");
    }
    out
}

/// The suffixes that start with `fragment`: `[from, to)` in byte order (`lowercase` when
/// the backend stores them so). A fragment is printable ASCII, so its last byte plus one
/// is still ASCII.
pub(crate) fn suffix_range(fragment: &NumberFragment, lowercase: bool) -> (String, String) {
    let from = if lowercase {
        fragment.as_str().to_ascii_lowercase()
    } else {
        fragment.as_str().to_owned()
    };
    let mut to = from.clone().into_bytes();
    if let Some(last) = to.last_mut() {
        *last += 1;
    }
    let to = String::from_utf8(to).expect("ASCII stays ASCII");
    (from, to)
}

/// How far the two counts of [`choose`] go for pages of `page` calls in a history of
/// `calls`: `sqrt(page * calls)`.
///
/// Going through the numbers costs about one lookup per matching number and per matching
/// call (`s + m`); reading the history in order costs about `page * calls / m` rows when
/// the `m` matches are spread over the history. Both are under this bound only when
/// `s + m` is, so counting up to it is enough to decide, and a common fragment costs two
/// index scans of at most this many entries.
pub(crate) fn count_bound(page: i64, calls: i64) -> i64 {
    ((page.max(1) as f64) * (calls.max(1) as f64)).sqrt().ceil() as i64
}

/// The way to use, given the matching numbers (read up to `bound + 1`) and their
/// (number, call) pairs counted up to `bound + 1` (`None` when the numbers alone exceeded
/// the bound).
pub(crate) fn choose(
    fragment: &NumberFragment,
    numbers: Vec<i64>,
    pairs: Option<i64>,
    bound: i64,
) -> NumberMatch {
    match pairs {
        Some(pairs) if numbers.len() as i64 + pairs <= bound => NumberMatch::Numbers(numbers),
        _ => NumberMatch::Like(fragment.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_range_holds_exactly_the_suffixes_starting_with_the_fragment() {
        let fragment = NumberFragment::parse("Client:A~").unwrap();
        let (from, to) = suffix_range(&fragment, true);
        assert_eq!(from, "client:a~");
        assert_eq!(to.as_bytes(), b"client:a\x7f");
        let inside = |s: &str| from.as_str() <= s && s < to.as_str();
        assert!(inside("client:a~"));
        assert!(inside("client:a~na"));
        assert!(!inside("client:a"));
        assert!(!inside("client:b~"));
        assert_eq!(
            suffix_range(&fragment, false),
            ("Client:A~".to_owned(), "Client:A\x7f".to_owned())
        );
        let (from, to) = suffix_range(&NumberFragment::parse("4321").unwrap(), false);
        assert_eq!((from.as_str(), to.as_str()), ("4321", "4322"));
    }

    #[test]
    fn rare_fragments_go_through_the_numbers_and_common_ones_scan() {
        let fragment = NumberFragment::parse("4321").unwrap();
        let bound = count_bound(51, 1_000_000);
        assert_eq!(bound, 7_142);
        let way =
            |numbers: usize, pairs| choose(&fragment, (0..numbers as i64).collect(), pairs, bound);
        assert!(matches!(way(500, Some(600)), NumberMatch::Numbers(n) if n.len() == 500));
        assert!(matches!(way(1, Some(bound + 1)), NumberMatch::Like(_)));
        assert!(matches!(
            way(bound as usize + 1, None),
            NumberMatch::Like(_)
        ));
        assert!(matches!(way(0, Some(0)), NumberMatch::Numbers(n) if n.is_empty()));
    }

    #[test]
    fn candidates_stop_after_the_page_only_when_asked() {
        assert_eq!(
            candidates("IN (1, 2)", None),
            "SELECT call_id FROM call_numbers WHERE number_id IN (1, 2)"
        );
        let top = Top {
            cursor: Some(Cursor {
                started_at_ms: 1_000,
                id: 7,
            }),
            rows: 51,
        };
        assert_eq!(
            candidates("IN (3)", Some(top)),
            "SELECT call_id FROM call_numbers WHERE number_id IN (3) AND started_at <= 1000 \
             AND (started_at < 1000 OR call_id < 7) ORDER BY started_at DESC, call_id DESC \
             LIMIT 102"
        );
        assert_eq!(id_list(&[1, -2, 30]), "1, -2, 30");
        assert_eq!(id_list(&[]), "");
    }
}
