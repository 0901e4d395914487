//! Minting a Voice token (incoming + outgoing application, identity), the work behind
//! `GET /api/twilio/token`. Compared with twilio-python by `scripts/bench-token`.

use std::hint::black_box;

use access_token::{
    AccessToken, AccountSid, ApiKeySecret, ApiKeySid, ApplicationSid, Identity, VoiceGrant,
};
use criterion::{Criterion, criterion_group, criterion_main};

fn mint(c: &mut Criterion) {
    // Same inputs as tools/reference/token_bench.py.
    let account: AccountSid = "AC0123456789abcdef0123456789abcdef".parse().unwrap();
    let key: ApiKeySid = "SK00112233445566778899aabbccddeeff".parse().unwrap();
    let app: ApplicationSid = "APa1b2c3d4e5f60718293a4b5c6d7e8f90".parse().unwrap();
    let secret = ApiKeySecret::new("Zz9yXx8wVv7uTt6sRr5qPp4oNn3mLl2k").unwrap();
    let identity = Identity::new("user_1_Alefe_Lins").unwrap();

    let mut group = c.benchmark_group("access_token");
    group.bench_function("mint_voice", |b| {
        b.iter(|| {
            // Everything per request is inside the loop: builder, grant, clock, signing.
            AccessToken::new(black_box(account), black_box(key), secret.clone())
                .identity(identity.clone())
                .grant(
                    VoiceGrant::new()
                        .incoming_allow(true)
                        .outgoing_application(black_box(app)),
                )
                .to_jwt()
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, mint);
criterion_main!(benches);
