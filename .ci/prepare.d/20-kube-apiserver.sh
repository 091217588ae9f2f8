#!/usr/bin/env bash
# Builds a real kube-apiserver (Debian bookworm's kubernetes 1.20 source package) for the cluster
# tests and caches the binary outside the repository. Idempotent: does nothing when the cached
# binary exists. Recipe: docs/cluster.md ("Testing against a real kube-apiserver").
set -euo pipefail

CACHE="${CNMM_KUBE_CACHE:-$HOME/.cache/cnmm/kube-apiserver-1.20}"
BIN="$CACHE/kube-apiserver"
VERSION="1.20.5+really1.20.2-1.1+deb12u1"
APT=(apt-get -o DPkg::Lock::Timeout=600)

export DEBIAN_FRONTEND=noninteractive
if [ -x "$BIN" ]; then
  if ! command -v etcd >/dev/null 2>&1; then
    "${APT[@]}" install -y --no-install-recommends etcd-server etcd-client || {
      "${APT[@]}" update && "${APT[@]}" install -y --no-install-recommends etcd-server etcd-client
    }
  fi
  echo "kube-apiserver cached at $BIN" >&2
  exit 0
fi

SRCLIST=/etc/apt/sources.list.d/cnmm-debian-src.sources
has_source() { apt-cache showsrc kubernetes 2>/dev/null | grep -q "^Version: $VERSION\$"; }
if ! has_source; then
  [ -e "$SRCLIST" ] || cat > "$SRCLIST" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  "${APT[@]}" update
fi
"${APT[@]}" install -y --no-install-recommends \
  golang-go etcd-server etcd-client rsync golang-github-modern-go-reflect2-dev dpkg-dev make

WORK="$(mktemp -d "${TMPDIR:-/tmp}/cnmm-kube-build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
"${APT[@]}" source --download-only "kubernetes=$VERSION" || {
  "${APT[@]}" update && "${APT[@]}" source --download-only "kubernetes=$VERSION"
}
dpkg-source -x kubernetes_*.dsc src >/dev/null
cd src
# The vendored reflect2 1.0.1 crashes ("fatal error: fault") with Go >= 1.18 on the first
# custom-resource write; Debian's 1.0.2 works.
rm -rf vendor/github.com/modern-go/reflect2
cp -r /usr/share/gocode/src/github.com/modern-go/reflect2 vendor/github.com/modern-go/reflect2
mkdir -p .go/src/k8s.io && ln -sfn ../../.. .go/src/k8s.io/kubernetes
# The make target runs code generators that a plain `go build` skips.
GOPATH="$PWD/.go" GOCACHE="$WORK/gocache" CGO_ENABLED=0 make WHAT=cmd/kube-apiserver
mkdir -p "$CACHE"
install -m 0755 _output/bin/kube-apiserver "$BIN.tmp"
mv "$BIN.tmp" "$BIN"
echo "kube-apiserver built and cached at $BIN" >&2
