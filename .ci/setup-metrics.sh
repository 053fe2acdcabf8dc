#!/bin/sh
# Debian packages the metrics tests and `npm run perf -- sampler` need (idempotent; assumes root
# and that apt-get update already ran):
#   busybox-static           runs the node sampler loop as postmarketOS's shell would
#   openssh-server/-client   a real sshd on loopback for the ssh2 tests (sshd, ssh-keygen)
#   influxdb                 InfluxDB 1.6.7 (influxd) for the InfluxDB sink and backfill tests
#   prometheus-node-exporter the baseline the sampler's own cost is compared with
#   faketime                 gives a test node a clock that is off, to check the clock offset
# The packages' own services are not used: tests start sshd and influxd themselves.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends busybox-static openssh-server openssh-client influxdb prometheus-node-exporter faketime
