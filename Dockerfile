# ReactLab in one image: `reactlab serve`, `reactlab api`, `reactlab worker`, `reactlab migrate`.
# Build: docker build -t reactlab .     (see docs/deploy.md)

# 1. The React runtime bundle (embedded into the binary) and the web app.
FROM debian:bookworm-slim AS web
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY crates/judge/vendor/package.json crates/judge/vendor/package-lock.json crates/judge/vendor/build.mjs crates/judge/vendor/
RUN cd crates/judge/vendor && npm ci --no-audit --no-fund && node build.mjs
COPY web/package.json web/package-lock.json web/
RUN cd web && npm ci --no-audit --no-fund
COPY web web
RUN cd web && npm run build

# 2. The binary.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY crates crates
COPY --from=web /src/crates/judge/vendor/dist crates/judge/vendor/dist
RUN cargo build --locked --release -p reactlab && cp target/release/reactlab /usr/local/bin/reactlab

# 3. The runtime: Debian's Chromium headless shell (the judge drives it), the binary, the built-in
#    challenges and the web app. No compiler, no Node.js.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium-headless-shell ca-certificates util-linux fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /var/lib/reactlab reactlab
COPY --from=build /usr/local/bin/reactlab /usr/local/bin/reactlab
COPY challenges /usr/share/reactlab/challenges
COPY --from=web /src/web/dist /usr/share/reactlab/web
ENV REACTLAB_CHALLENGES=/usr/share/reactlab/challenges \
    REACTLAB_WEB_DIR=/usr/share/reactlab/web \
    REACTLAB_DATA_DIR=/var/lib/reactlab \
    REACTLAB_ADDR=0.0.0.0:8080
USER reactlab
WORKDIR /var/lib/reactlab
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=30s CMD ["reactlab", "healthcheck", "http://127.0.0.1:8080/readyz"]
ENTRYPOINT ["reactlab"]
CMD ["serve"]
