# syntax=docker/dockerfile:1
# Lijiaoqiao gateway image: build with Maven on the Temurin 25 JDK, run on the Temurin 25 JRE as a non-root user.
#   docker build -t ljq .
#   docker run -p 8080:8080 -v ljq-data:/data -v $PWD/ljq.yaml:/etc/ljq/ljq.yaml:ro ljq
# Configuration: /etc/ljq/ljq.yaml plus LJQ_* environment variables (docs/configuration.md, docs/deployment.md).

FROM maven:3.9-eclipse-temurin-25 AS build
# The web console (src/main/console) is bundled by npm during the Maven build.
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so a source change does not download them again.
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q -DskipTests package && cp target/ljq.jar /ljq.jar

FROM eclipse-temurin:25-jre-alpine
RUN addgroup -S -g 10001 ljq && adduser -S -u 10001 -G ljq -h /data ljq \
    && mkdir -p /data /etc/ljq && chown ljq:ljq /data \
    && apk add --no-cache curl
COPY --from=build /ljq.jar /app/ljq.jar
COPY ljq.example.yaml /etc/ljq/ljq.yaml
COPY jvm.options /app/jvm.options
ENV LJQ_DATA_DIR=/data \
    LJQ_SERVER_HOST=0.0.0.0 \
    LJQ_SERVER_PORT=8080 \
    JAVA_TOOL_OPTIONS="-XX:+ExitOnOutOfMemoryError"
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/livez || exit 1
# SIGTERM (docker stop, Kubernetes) starts the graceful shutdown: /readyz 503, in-flight requests finish.
ENTRYPOINT ["java", "@/app/jvm.options", "-jar", "/app/ljq.jar", "serve", "--config", "/etc/ljq/ljq.yaml"]
