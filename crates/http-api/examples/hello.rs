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
        App::new().route(
            "/",
            web::get().to(|| async { HttpResponse::Ok().body("hello") }),
        )
    })
    .bind(addr)?
    .run()
    .await
}
