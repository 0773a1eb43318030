# eucalypt in a container: built with Maven, run on a JRE-only image as a non-root user.
#   docker build -t eucalypt .
#   docker run -p 8080:8080 -e EUCALYPT_DATABASE_URL=postgresql://user:pass@db-host:5432/eucalypt \
#              -v eucalypt-data:/var/lib/eucalypt/data eucalypt
# docker-compose.yml runs it next to PostgreSQL. See README.md, "Operating eucalypt".

# --- build: the fat jar --------------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# Dependencies first, in their own layer: editing the code does not download them again.
COPY pom.xml ./
RUN mvn -B -q dependency:go-offline || true
COPY config ./config
COPY src ./src
RUN mvn -B -q package -DskipTests && cp target/eucalypt.jar /eucalypt.jar

# --- run: a JRE, the jar, and the tools renditions run ----------------------------------------
# Debian bookworm, as CI: the same libvips (8.14) and ffmpeg (5.1) the tests ran against.
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      openjdk-17-jre-headless libvips-tools ffmpeg \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system eucalypt \
 && useradd --system --gid eucalypt --home-dir /var/lib/eucalypt --shell /usr/sbin/nologin eucalypt \
 && mkdir -p /var/lib/eucalypt/data /opt/eucalypt \
 && chown -R eucalypt:eucalypt /var/lib/eucalypt \
 && printf '#!/bin/sh\nexec java -jar /opt/eucalypt/eucalypt.jar "$@"\n' > /usr/local/bin/eucalypt \
 && chmod 755 /usr/local/bin/eucalypt
COPY --from=build /eucalypt.jar /opt/eucalypt/eucalypt.jar

USER eucalypt
WORKDIR /var/lib/eucalypt
ENV EUCALYPT_STORAGE_DIR=/var/lib/eucalypt/data \
    EUCALYPT_LOG_FORMAT=json \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
# Stored files (blobs/) and uploads in flight (staging/): keep them on a volume.
VOLUME ["/var/lib/eucalypt/data"]
EXPOSE 8080

# Ready: database reachable and migrated, drain running (GET /health/ready answers 200). Plain
# bash, so the image needs no curl.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/${EUCALYPT_HTTP_PORT:-8080} \
    && printf "GET /health/ready HTTP/1.0\r\nHost: localhost\r\n\r\n" >&3 \
    && head -n 1 <&3 | grep -q " 200 "'

# `docker run IMAGE` serves; `docker run IMAGE status` (or `eucalypt status` inside) runs a command.
ENTRYPOINT ["java", "-jar", "/opt/eucalypt/eucalypt.jar"]
CMD ["serve"]
