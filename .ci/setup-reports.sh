#!/usr/bin/env bash
# Debian packages the reports tests need (idempotent; assumes root and a fresh `apt-get update`):
#  - chromium: the browser test opens the HTML reports in headless Chromium through playwright-core
#    (which downloads no browser of its own);
#  - fonts-dejavu-core: text in the PNG charts (@napi-rs/canvas draws with system fonts).
set -euo pipefail
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-dejavu-core
