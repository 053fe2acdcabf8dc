#!/bin/sh
# Debian packages the cluster tests need: per-node engines (docker.io gives dockerd 20.10, containerd,
# runc and the 20.10 docker CLI the parity test compares against), sshd per node, ip/nsenter/unshare
# for the namespaces, a static busybox for test images.
# Idempotent; assumes root and that `apt-get update` already ran.
# The testbed starts its own engines inside network namespaces. A host-wide dockerd would set the
# host's FORWARD policy to DROP, so the packages' services are kept from starting (policy-rc.d is
# honoured by invoke-rc.d and deb-systemd-invoke) unless a policy is already in place.
set -eu
. "$(dirname "$0")/no-service-start.sh"
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
  docker.io openssh-server openssh-client iproute2 util-linux mount busybox-static tar
