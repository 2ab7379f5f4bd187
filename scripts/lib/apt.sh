# shellcheck shell=bash
# Installing Debian packages for the tests; source it, do not run it.

# Installs the Debian packages "$@" with apt-get (through sudo when not
# root), refreshing the package lists first. Never pins a version: Debian
# replaces old builds of packages with security updates, so the current one
# is the one that can be installed.
apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# The installed Debian version of package $1, or "not installed by dpkg".
debian_version() {
  dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "not installed by dpkg"
}
