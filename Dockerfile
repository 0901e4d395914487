# syntax=docker/dockerfile:1
# Ramal's container image: the one `ramal` binary, webphone embedded, on Debian 12 slim.
#
#   docker build --build-arg RAMAL_GIT_REVISION=$(git rev-parse --short=12 HEAD) -t ramal .   # or `just docker`
#   docker run -d --name ramal -p 8080:8080 -v ramal-data:/var/lib/ramal --env-file ramal.env ramal
#   docker run --rm -v ramal-data:/var/lib/ramal --env-file ramal.env ramal doctor
#   docker run --rm -it -v ramal-data:/var/lib/ramal ramal agent add admin --name "Your Name" --admin
#
# ramal.env holds the TWILIO_* and RAMAL_* variables (config/ramal.example.toml), at least
# RAMAL_PUBLIC_URL: the https URL Twilio calls, on a TLS proxy in front (deploy/nginx.conf).
# Without TWILIO_* variables the container runs in demo mode.

ARG RUST_VERSION=1.95.0
ARG NODE_VERSION=20

# 1. The webphone: vite build, the size budget check and gzip twins, into frontend/dist.
FROM node:${NODE_VERSION}-bookworm-slim AS webphone
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

# 2. The server, embedding frontend/dist (crates/http-api/build.rs).
FROM rust:${RUST_VERSION}-bookworm AS server
ARG RUST_VERSION
# The image's toolchain, instead of rust-toolchain.toml's (which also asks for rustfmt and
# clippy, not needed here and not in the image).
ENV RUSTUP_TOOLCHAIN=${RUST_VERSION}
WORKDIR /src
COPY . .
COPY --from=webphone /src/frontend/dist frontend/dist
# The build context has no .git: `ramal --version` shows this revision (else "unknown").
ARG RAMAL_GIT_REVISION=unknown
ENV RAMAL_GIT_REVISION=${RAMAL_GIT_REVISION}
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p http-api --bin ramal \
    && install -m 0755 target/release/ramal /usr/local/bin/ramal \
    && ramal --version

# 3. The runtime: the build image's glibc, CA certificates for Twilio and Google, a non-root user.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /var/lib/ramal --create-home \
        --shell /usr/sbin/nologin ramal \
    && chmod 0750 /var/lib/ramal
COPY --from=server /usr/local/bin/ramal /usr/local/bin/ramal
USER ramal
ENV RAMAL_BIND=0.0.0.0:8080 \
    RAMAL_DATA_DIR=/var/lib/ramal
# The SQLite database, recordings, the webhook spool and the session key.
VOLUME ["/var/lib/ramal"]
EXPOSE 8080
# /healthz over bash's /dev/tcp: the slim image has no curl. Follows the default port; change it
# here too if RAMAL_BIND moves.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
# SIGTERM starts the graceful shutdown (30 s): give `docker stop` more (`--stop-timeout 45`).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/ramal"]
CMD ["serve"]
