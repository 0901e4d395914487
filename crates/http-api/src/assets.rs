//! The webphone, served from the binary itself (`build.rs` embeds `frontend/dist`).
//!
//! - `/` and every unknown path outside `/api` answer `index.html` (the app routes with the
//!   URL hash, so this is only a safety net for bookmarked paths); a missing `/assets/…` file is
//!   a 404, never `index.html`, so a stale page fails loudly instead of running HTML as script.
//! - Content-hashed files under `/assets/` are cached for a year (`immutable`); `index.html`
//!   is revalidated every time (`no-cache` + ETag), so a new release is picked up at once.
//! - Gzip twins written by the front-end build are sent when the browser accepts gzip.
//! - HTML carries the Content-Security-Policy [`CSP`]; every file gets `nosniff`.
//! - Without a built front end the server still runs and `/` says how to build it.

use actix_web::http::Method;
use actix_web::http::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG,
    HeaderValue, IF_NONE_MATCH, REFERRER_POLICY, VARY, X_CONTENT_TYPE_OPTIONS,
};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};

use crate::error::ApiError;

/// One embedded file.
#[derive(Debug)]
pub struct Asset {
    /// URL path, e.g. `/assets/index-Du0bSyBu.js`.
    pub path: &'static str,
    /// The file.
    pub body: &'static [u8],
    /// Its gzip twin, when the build wrote one.
    pub gzip: Option<&'static [u8]>,
    /// `Content-Type` header value.
    pub content_type: &'static str,
    /// Quoted strong ETag of `body`.
    pub etag: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// Exactly what the webphone and `@twilio/voice-sdk` 2.x need, nothing inline:
/// - `connect-src`: our API and live events, Twilio's signalling (`wss://*.twilio.com`) and
///   insights (`https://*.twilio.com`), and `blob:` (the SDK fetches its sounds, which the app
///   synthesises as blob URLs, to decode them);
/// - `media-src`: those sounds played by `<audio>`;
/// - `img-src data:`: small inline images in the stylesheet, if any;
/// - no `'unsafe-inline'`/`'unsafe-eval'` anywhere: the build emits no inline script or style.
///
/// WebRTC media (ICE/STUN/TURN) is not governed by CSP.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
img-src 'self' data:; font-src 'self'; \
connect-src 'self' wss://*.twilio.com https://*.twilio.com blob:; media-src 'self' blob:; \
manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Hashed files never change: a year, and no revalidation.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `index.html` (and the not-built page) are revalidated on every load.
const REVALIDATE: &str = "no-cache";

/// Served at `/` when the binary was built without `frontend/dist`.
const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>Ramal</title></head><body><h1>Ramal is running, but its webphone is not built</h1>\
<p>This binary was compiled without <code>frontend/dist</code>. Build the webphone, then the \
server again:</p><pre>scripts/frontend-build\ncargo build --release -p http-api --bin ramal</pre>\
<p>The API works meanwhile: <a href=\"/api/openapi.json\">/api/openapi.json</a>, \
<a href=\"/healthz\">/healthz</a>.</p></body></html>";

/// Whether the binary carries the webphone.
pub fn built() -> bool {
    !ASSETS.is_empty()
}

/// Whether the request accepts gzip (`Accept-Encoding: gzip` or `*`, not with `q=0`).
fn accepts_gzip(req: &HttpRequest) -> bool {
    let Some(value) = req
        .headers()
        .get(ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    value.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let coding = parts.next().unwrap_or("");
        let refused = parts.any(|p| {
            p.strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q == 0.0)
        });
        (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
    })
}

/// Whether `If-None-Match` names this ETag (or `*`).
fn not_modified(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get_all(IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*")
}

fn common_headers(res: &mut HttpResponseBuilder, content_type: &'static str) {
    res.insert_header((CONTENT_TYPE, content_type))
        .insert_header((X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((REFERRER_POLICY, "same-origin"));
    if content_type.starts_with("text/html") {
        res.insert_header((CONTENT_SECURITY_POLICY, CSP))
            .insert_header((
                "Permissions-Policy",
                "microphone=(self), camera=(), geolocation=()",
            ));
    }
}

fn respond(req: &HttpRequest, asset: &'static Asset) -> HttpResponse {
    let cache = if asset.path.starts_with("/assets/") {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    // The gzip twin is another representation: it gets its own (derived) strong ETag.
    let (body, etag, gzipped) = match asset.gzip {
        Some(gzip) if accepts_gzip(req) => (
            gzip,
            format!("{}-gz\"", asset.etag.trim_end_matches('"')),
            true,
        ),
        _ => (asset.body, asset.etag.to_owned(), false),
    };
    let unchanged = not_modified(req, &etag);
    let mut res = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    if asset.gzip.is_some() {
        res.insert_header((VARY, HeaderValue::from_static("Accept-Encoding")));
    }
    res.insert_header((CACHE_CONTROL, cache))
        .insert_header((ETAG, etag));
    if unchanged {
        return res.finish();
    }
    common_headers(&mut res, asset.content_type);
    if gzipped {
        res.insert_header((CONTENT_ENCODING, "gzip"));
    }
    // For HEAD, actix-web sends the headers (and the length) without the body.
    res.body(body)
}

/// Everything no route matched: the webphone's files, `index.html` for app paths, JSON 404s
/// under `/api` and for missing hashed files.
pub async fn fallback(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    serve(ASSETS, &req)
}

fn serve(table: &'static [Asset], req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let path = req.path();
    if path == "/api" || path.starts_with("/api/") {
        return Err(ApiError::NotFound);
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return Ok(HttpResponse::MethodNotAllowed()
            .insert_header(("Allow", "GET, HEAD"))
            .finish());
    }
    let find = |path: &str| table.iter().find(|a| a.path == path);
    if let Some(asset) = find(path) {
        return Ok(respond(req, asset));
    }
    if path.starts_with("/assets/") {
        return Err(ApiError::NotFound);
    }
    match find("/index.html") {
        Some(index) => Ok(respond(req, index)),
        None => {
            let mut res = HttpResponse::Ok();
            common_headers(&mut res, "text/html; charset=utf-8");
            res.insert_header((CACHE_CONTROL, REVALIDATE));
            Ok(res.body(NOT_BUILT))
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::body::to_bytes;
    use actix_web::http::StatusCode;
    use actix_web::test::TestRequest;

    use super::*;

    static BUILT: &[Asset] = &[
        Asset {
            path: "/index.html",
            body: b"<!doctype html><div id=app></div>",
            gzip: None,
            content_type: "text/html; charset=utf-8",
            etag: "\"1\"",
        },
        Asset {
            path: "/assets/index-AbC123.js",
            body: b"console.log('webphone')",
            gzip: Some(b"\x1f\x8bzipped"),
            content_type: "text/javascript; charset=utf-8",
            etag: "\"2\"",
        },
    ];

    async fn get(
        table: &'static [Asset],
        req: TestRequest,
    ) -> (StatusCode, Vec<(String, String)>, String) {
        let res = match serve(table, &req.to_http_request()) {
            Ok(res) => res,
            Err(e) => actix_web::ResponseError::error_response(&e),
        };
        let status = res.status();
        let headers = res
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        let body = to_bytes(res.into_body()).await.unwrap_or_default();
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    }

    fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    #[tokio::test]
    async fn without_a_built_front_end_the_root_says_how_to_build_it() {
        let (status, headers, body) = get(&[], TestRequest::get().uri("/")).await;
        assert_eq!(status, 200);
        assert!(body.contains("scripts/frontend-build"), "{body}");
        assert_eq!(header(&headers, "content-security-policy"), Some(CSP));
        let (status, _, _) = get(&[], TestRequest::get().uri("/api/nothing")).await;
        assert_eq!(status, 404);
    }

    #[tokio::test]
    async fn app_paths_fall_back_to_index_but_missing_assets_do_not() {
        for uri in ["/", "/calls", "/agents/7?x=1"] {
            let (status, headers, body) = get(BUILT, TestRequest::get().uri(uri)).await;
            assert_eq!(status, 200, "{uri}");
            assert!(body.contains("id=app"), "{uri}");
            assert_eq!(header(&headers, "cache-control"), Some(REVALIDATE));
            assert_eq!(header(&headers, "content-security-policy"), Some(CSP));
        }
        let (status, _, body) = get(BUILT, TestRequest::get().uri("/assets/gone-1.js")).await;
        assert_eq!(
            (status, body.contains("not_found")),
            (StatusCode::NOT_FOUND, true)
        );
        let (status, headers, _) = get(BUILT, TestRequest::post().uri("/calls")).await;
        assert_eq!(status, 405);
        assert_eq!(header(&headers, "allow"), Some("GET, HEAD"));
        let (status, _, _) = get(BUILT, TestRequest::post().uri("/api/x")).await;
        assert_eq!(status, 404, "unknown API routes stay JSON 404s");
    }

    #[tokio::test]
    async fn hashed_files_are_immutable_and_gzip_has_its_own_tag() {
        let js = "/assets/index-AbC123.js";
        let (status, headers, body) = get(BUILT, TestRequest::get().uri(js)).await;
        assert_eq!(status, 200);
        assert_eq!(body, "console.log('webphone')");
        assert_eq!(header(&headers, "cache-control"), Some(IMMUTABLE));
        assert_eq!(header(&headers, "vary"), Some("Accept-Encoding"));
        assert_eq!(header(&headers, "etag"), Some("\"2\""));
        assert_eq!(
            header(&headers, "content-security-policy"),
            None,
            "HTML only"
        );
        let zipped = TestRequest::get()
            .uri(js)
            .insert_header((ACCEPT_ENCODING, "gzip"));
        let (_, headers, body) = get(BUILT, zipped).await;
        assert_eq!(header(&headers, "content-encoding"), Some("gzip"));
        assert_eq!(header(&headers, "etag"), Some("\"2-gz\""));
        assert!(body.ends_with("zipped"));
        let again = TestRequest::get()
            .uri(js)
            .insert_header((ACCEPT_ENCODING, "gzip"))
            .insert_header((IF_NONE_MATCH, "\"2-gz\""));
        let (status, headers, body) = get(BUILT, again).await;
        assert_eq!((status, body.as_str()), (StatusCode::NOT_MODIFIED, ""));
        assert_eq!(header(&headers, "etag"), Some("\"2-gz\""));
    }

    #[test]
    fn gzip_is_chosen_only_when_accepted() {
        let with = |v: &str| {
            accepts_gzip(
                &TestRequest::default()
                    .insert_header((ACCEPT_ENCODING, v))
                    .to_http_request(),
            )
        };
        assert!(with("gzip, deflate, br, zstd"));
        assert!(with("br;q=1.0, gzip;q=0.8"));
        assert!(with("*"));
        assert!(!with("br"));
        assert!(!with("gzip;q=0"));
        assert!(!with("identity"));
        assert!(!accepts_gzip(&TestRequest::default().to_http_request()));
    }

    #[test]
    fn if_none_match_accepts_lists_and_weak_tags() {
        let req = |v: &str| {
            TestRequest::default()
                .insert_header((IF_NONE_MATCH, v))
                .to_http_request()
        };
        assert!(not_modified(&req("\"abc\""), "\"abc\""));
        assert!(not_modified(&req("\"x\", W/\"abc\""), "\"abc\""));
        assert!(not_modified(&req("*"), "\"abc\""));
        assert!(!not_modified(&req("\"abd\""), "\"abc\""));
    }

    #[test]
    fn the_csp_allows_no_inline_code_and_no_framing() {
        assert!(!CSP.contains("unsafe"));
        for directive in [
            "script-src 'self'",
            "style-src 'self'",
            "frame-ancestors 'none'",
            "connect-src 'self' wss://*.twilio.com https://*.twilio.com blob:",
            "media-src 'self' blob:",
        ] {
            assert!(CSP.contains(directive), "{directive}");
        }
    }
}
