#!/bin/sh
# Debian packages the cluster tests need: per-node engines (docker.io gives dockerd 20.10, containerd,
# runc), sshd per node, ip/nsenter/unshare for the namespaces, a static busybox for test images.
# Idempotent; assumes root and that `apt-get update` already ran. Starts no service.
set -eu
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
  docker.io openssh-server openssh-client iproute2 util-linux mount busybox-static tar
