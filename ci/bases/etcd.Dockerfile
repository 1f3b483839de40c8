# Stands in for gcr.io/etcd-development/etcd:v3.5.x on machines that cannot pull: Debian's etcd, at
# the path of the official image.
ARG DEBIAN_BASE
FROM ${DEBIAN_BASE}
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends etcd-server etcd-client \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb \
 && ln -s /usr/bin/etcd /usr/local/bin/etcd && ln -s /usr/bin/etcdctl /usr/local/bin/etcdctl
EXPOSE 2379 2380
CMD ["/usr/local/bin/etcd"]
