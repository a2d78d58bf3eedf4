#!/usr/bin/env bash
# Installs Docker Compose v2 beside Debian bookworm's Compose v1, so the tests run on both.
#
#   tests/support/compose-v2.sh install   # idempotent; prints the plugin's path
#
# Compose v2 is not packaged for bookworm. Debian trixie's `docker-compose` package (2.26.1)
# is one static Go binary, so it is fetched with apt from the same Debian mirror through a
# separate, throw-away sources list and state folder (bookworm's own apt state is untouched)
# and unpacked with `dpkg-deb -x` as the Docker CLI plugin in ~/.docker/cli-plugins, where
# `docker compose` finds it. Compose v1 stays `docker-compose`.
set -euo pipefail

version=2.26.1
plugin="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins/docker-compose"

installed() {
  [ -x "$plugin" ] && "$plugin" version --short 2>/dev/null | grep -q "^v\?$version"
}

install_plugin() {
  if installed; then
    echo "$plugin"
    return
  fi
  local work
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  mkdir -p "$work/sources" "$work/lists/partial" "$work/cache/archives/partial"
  cat >"$work/sources/trixie.sources" <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  local apt_opts=(
    -o "Dir::Etc::SourceList=$work/sources/none.list"
    -o "Dir::Etc::SourceParts=$work/sources"
    -o "Dir::State::Lists=$work/lists"
    -o "Dir::Cache=$work/cache"
    -o "APT::Sandbox::User=root"
    -qq
  )
  apt-get "${apt_opts[@]}" update >/dev/null
  (cd "$work" && apt-get "${apt_opts[@]}" download "docker-compose=$version-*" >/dev/null)
  dpkg-deb -x "$work"/docker-compose_"$version"-*_amd64.deb "$work/root"
  mkdir -p "$(dirname "$plugin")"
  install -m 0755 "$work/root/usr/libexec/docker/cli-plugins/docker-compose" "$plugin"
  installed || { echo "compose-v2.sh: $plugin does not report version $version" >&2; exit 1; }
  echo "$plugin"
}

case "${1:-}" in
  install) install_plugin ;;
  *) echo "usage: $0 install" >&2; exit 2 ;;
esac
