# Stands in for eclipse-temurin:17-jdk on machines that cannot pull (HFI uses it for jlink only;
# Debian's jlink --strip-debug runs objcopy, hence binutils).
ARG JRE_BASE
FROM ${JRE_BASE}
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      openjdk-17-jdk-headless binutils \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb
