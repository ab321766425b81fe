# The service image: a release build on Debian, run as an unprivileged user.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin trygg

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 trygg && mkdir /data /var/lib/trygg-heads \
    && chown trygg /data /var/lib/trygg-heads
COPY --from=build /src/target/release/trygg /usr/local/bin/trygg
USER trygg
ENV TRYGG_BIND=0.0.0.0:8080 \
    DATABASE_URL=/data/trygg.db \
    TRYGG_LOG_FORMAT=json
EXPOSE 8080
VOLUME /data
ENTRYPOINT ["trygg"]
CMD ["serve"]
