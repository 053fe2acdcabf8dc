# Sourced by .ci/setup-*.sh before apt-get install: keeps the packages' services from starting
# (policy-rc.d is honoured by invoke-rc.d and deb-systemd-invoke) unless a policy is already in
# place, and removes the policy it made when the sourcing script exits.
own_policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  own_policy=1
fi
trap 'if [ -n "$own_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi' EXIT
