#!/usr/bin/env bash
# Install Debian's OpenLink Virtuoso (virtuoso-opensource, 7.2.x) for tests/test_virtuoso_store.py.
# Idempotent: does nothing when virtuoso-t and isql-vt are already there. Needs root (or sudo)
# and apt. The tests start a private instance of their own, so the package's system service is
# kept from starting now and at boot.
set -euo pipefail

if command -v virtuoso-t >/dev/null 2>&1 && command -v isql-vt >/dev/null 2>&1; then
    echo "install-virtuoso: $(command -v virtuoso-t) is already installed"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-virtuoso: no apt-get here; install OpenLink Virtuoso 7 (virtuoso-t, isql-vt)" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive

if ! apt-cache policy virtuoso-opensource 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    echo "install-virtuoso: apt-get update (virtuoso-opensource not in the package lists)"
    $SUDO apt-get update -qq
fi

# An empty DBA password makes the package leave its own instance disabled (RUN=no); the
# password of our private instances is set by the tests' own database.
echo "install-virtuoso: preseeding debconf (no DBA password: the system instance stays off)"
$SUDO debconf-set-selections <<'EOF'
virtuoso-opensource-7 virtuoso-opensource-7/dba-password password
virtuoso-opensource-7 virtuoso-opensource-7/dba-password-again password
EOF

# The package's postinst starts its service to set the password: forbid service starts while
# it installs, unless a policy (a container's) already does.
POLICY=/usr/sbin/policy-rc.d
OWN_POLICY=""
if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
    $SUDO chmod 755 "$POLICY"
    OWN_POLICY=yes
fi
remove_policy() {
    if [ -n "$OWN_POLICY" ]; then
        $SUDO rm -f "$POLICY"
    fi
}
trap remove_policy EXIT

echo "install-virtuoso: apt-get install virtuoso-opensource"
$SUDO apt-get install -y -qq --no-install-recommends virtuoso-opensource >/dev/null

echo "install-virtuoso: disabling the system service virtuoso-opensource-7"
if [ -f /etc/default/virtuoso-opensource-7 ]; then
    $SUDO sed -i 's/^RUN=yes/RUN=no/' /etc/default/virtuoso-opensource-7
fi
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    $SUDO systemctl disable --now virtuoso-opensource-7 >/dev/null 2>&1 || true
elif command -v update-rc.d >/dev/null 2>&1; then
    $SUDO update-rc.d virtuoso-opensource-7 disable >/dev/null 2>&1 || true
fi

virtuoso-t +version 2>&1 | grep -m1 -i version || true
