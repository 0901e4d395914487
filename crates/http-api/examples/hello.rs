//! The ceiling for the HTTP benchmark: an actix-web hello world with the same runtime and
//! worker defaults as `ramal serve`. `scripts/bench-http` runs both in one go.
//!
//! Run with `cargo run --release -p http-api --example hello -- 127.0.0.1:8090`.

use actix_web::{App, HttpResponse, HttpServer, web};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8090".to_owned());
    HttpServer::new(|| {
        // Any method and path: the benchmark also replays the signed webhook requests here,
        // so the ceiling pays the same load-tool cost (a Lua-built POST per request) as the
        // webhook routes it is compared with.
        // The body is read, as the webhook handlers read theirs: actix closes the connection
        // after a response whose request body was left unread.
        App::new().default_service(web::to(|_body: web::Bytes| async {
            HttpResponse::Ok().body("hello")
        }))
    })
    .bind(addr)?
    .run()
    .await
}
