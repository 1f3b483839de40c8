# Stands in for eclipse-temurin:17-jre on machines that cannot pull: Debian's OpenJDK 17 JRE.
ARG DEBIAN_BASE
FROM ${DEBIAN_BASE}
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      openjdk-17-jre-headless ca-certificates \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb
ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64
