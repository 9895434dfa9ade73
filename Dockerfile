# syntax=docker/dockerfile:1
# EmoSer HTTP service: emoser-serve (native AOT; `emoser serve` runs it) plus `emoser-train` for POST /train.
#   docker build -t emoser .                          # without a dataset (mount one at /data)
#   docker build -t emoser --build-arg EMODB=1 .      # downloads Emo-DB at build time, as the seed did
#   docker build -t emoser --build-arg FFMPEG=0 .     # without ffmpeg: uploads in WAV, AIFF and FLAC only
#   docker run -e EMOSER_API_KEY=$(openssl rand -hex 24) -p 5000:5000 emoser
#   EMOSER_API_KEY=... docker compose up              # port 5000, volumes for /data and /models
# The container listens on all interfaces, so it needs an API key (EMOSER_API_KEY, or EMOSER_API_KEY_FILE naming a
# file such as a Docker secret) for the requests that change state; without one the server refuses to start.
# Every RUN step calls a script under scripts/docker/ (tests/EmoSer.Serve.Tests/DockerfileTests checks they exist).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY scripts/docker/install-build-deps.sh scripts/docker/
RUN bash scripts/docker/install-build-deps.sh
COPY . .
RUN bash scripts/docker/build.sh /out/app linux-x64
ARG EMODB=0
RUN bash scripts/docker/fetch-data.sh /out/data "$EMODB" /out/app/emoser-train

# runtime-deps: glibc, OpenSSL, CA certificates and a non-root "app" user; no .NET runtime needed
# (emoser is native AOT, emoser-train is self-contained).
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0 AS runtime
COPY scripts/docker/setup-runtime.sh /tmp/setup-runtime.sh
# ffmpeg decodes MP3, Ogg, M4A and WebM uploads; --build-arg FFMPEG=0 leaves it out (WAV, AIFF and FLAC only).
ARG FFMPEG=1
RUN bash /tmp/setup-runtime.sh / app "$FFMPEG"
COPY --from=build /out/app /app
COPY --from=build --chown=app:app /out/data /data
USER app
WORKDIR /models
ENV EMOSER_CACHE=/models/cache
EXPOSE 5000
VOLUME ["/data", "/models"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["/app/healthcheck.sh", "5000"]
ENTRYPOINT ["/app/entrypoint.sh"]
