#!/bin/sh
# Debian packages the engine's tests need (idempotent; assumes root and that apt-get update ran):
#   openssl   makes the self-signed certificate of the HTTPS test (influxd comes with setup-metrics.sh)
# `npm run perf -- engine` also needs Go (it builds its server and installs vegeta with go install);
# the benchmark is not part of CI.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends openssl
