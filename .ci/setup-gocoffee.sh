#!/bin/sh
# Debian packages the real Go coffee shop's tests need (shop/gocoffee/): postgres and rabbitmq-server
# run on loopback by the local runner, mmdebstrap builds their images' root file systems,
# qemu-user-static runs the arm/v7 binaries (invoked explicitly, or registered in a user namespace's
# own binfmt_misc for the armhf servers: the host's binfmt is never changed), busybox-static goes
# into the service images, `file` and `ss` (iproute2) are what the tests check with. Go comes from the machine (Go 1.26 in PATH): the
# tests fail with one line saying how to get it when it is missing.
# Idempotent; assumes root and that `apt-get update` already ran.
# The packages' own services must not start on install (they would listen on every interface and
# hold the default ports): policy-rc.d is honoured by invoke-rc.d and deb-systemd-invoke.
set -eu
. "$(dirname "$0")/no-service-start.sh"
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
  postgresql postgresql-contrib rabbitmq-server mmdebstrap qemu-user-static busybox-static \
  iproute2 util-linux file tar ca-certificates
