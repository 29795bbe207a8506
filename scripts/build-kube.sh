#!/usr/bin/env bash
# Builds a real kube-apiserver and etcd from source (Go modules) for Shipyard's test harness
# (test/harness/kube.ts). Idempotent: does nothing when both binaries are already cached.
#
#   bash scripts/build-kube.sh          # prints the bin dir as the last stdout line
#
# Output: ${SHIPYARD_CACHE:-$HOME/.cache/shipyard}/kube/<K8S_VERSION>-etcd<ETCD_VERSION>/bin/{kube-apiserver,etcd}
# Takes roughly 5-15 minutes on 2 cores the first time (mostly kube-apiserver); needs only Go and
# the Go module proxy. Nothing fetched here is ever written into the repo.
#
# test/harness/kube.ts reads the two version lines below: keep them in the form NAME=vX.Y.Z.
set -euo pipefail

K8S_VERSION=v1.34.4
ETCD_VERSION=v3.6.16

# k8s.io/kubernetes's staging modules (k8s.io/api, apimachinery, ...) are published as v0.<minor>.<patch>.
STAGING_VERSION="v0.${K8S_VERSION#v1.}"

cache="${SHIPYARD_CACHE:-$HOME/.cache/shipyard}"
bin_dir="$cache/kube/${K8S_VERSION}-etcd${ETCD_VERSION}/bin"

log() { echo "build-kube: $*" >&2; }

if [ -x "$bin_dir/kube-apiserver" ] && [ -x "$bin_dir/etcd" ]; then
  log "kube-apiserver $K8S_VERSION and etcd $ETCD_VERSION already built in $bin_dir"
  echo "$bin_dir"
  exit 0
fi

command -v go >/dev/null 2>&1 || { log "Go is required (go command not found)"; exit 1; }

mkdir -p "$cache/kube"
# Throwaway Go modules and the build output live in one temp dir next to the cache, so the final
# `mv` is a same-filesystem rename (atomic): a half-written binary never appears in $bin_dir.
work="$(mktemp -d "$cache/kube/.build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/out"

export CGO_ENABLED=0
export GOFLAGS="${GOFLAGS:-} -mod=mod"
build_date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"

build_kube_apiserver() {
  local mod="$work/kube-apiserver"
  mkdir -p "$mod"
  cd "$mod"
  log "creating throwaway module for k8s.io/kubernetes@$K8S_VERSION in $mod"
  go mod init shipyard.local/build/kube-apiserver >/dev/null 2>&1
  go mod edit -require="k8s.io/kubernetes@$K8S_VERSION"

  # k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them with ./staging/...;
  # a consumer must replace them with the published v0.x.y of the same release.
  local gomod
  gomod="$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
  [ -f "$gomod" ] || { log "could not download k8s.io/kubernetes@$K8S_VERSION's go.mod"; exit 1; }
  local staging
  staging="$(awk '
    /^require[[:space:]]*\(/ { inreq = 1; next }
    inreq && /^\)/ { inreq = 0; next }
    inreq && $1 ~ /^k8s\.io\// && $2 == "v0.0.0" { print $1 }
    /^require[[:space:]]+k8s\.io\/[^ ]+[[:space:]]+v0\.0\.0/ { print $2 }
  ' "$gomod" | sort -u)"
  [ -n "$staging" ] || { log "found no k8s.io/* v0.0.0 requires in $gomod"; exit 1; }
  local m n=0
  for m in $staging; do
    go mod edit -replace="$m=$m@$STAGING_VERSION"
    n=$((n + 1))
  done
  log "replaced $n staging modules with $STAGING_VERSION"
  # Same GODEBUG defaults as kubernetes' own go.mod.
  go mod edit -godebug=default=go1.24 2>/dev/null || true

  log "resolving dependencies of k8s.io/kubernetes/cmd/kube-apiserver"
  go get "k8s.io/kubernetes/cmd/kube-apiserver@$K8S_VERSION" >&2

  # Version stamping as in kubernetes' hack/lib/version.sh, so /version reports the real gitVersion.
  local minor="${K8S_VERSION#v1.}"
  minor="${minor%%.*}"
  local ldx="" pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldx+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldx+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
  done
  log "building kube-apiserver $K8S_VERSION (CGO_ENABLED=0, -trimpath; this is the slow part)"
  go build -trimpath -ldflags="-s -w$ldx" -o "$work/out/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
}

build_etcd() {
  local mod="$work/etcd"
  mkdir -p "$mod"
  cd "$mod"
  log "creating throwaway module for go.etcd.io/etcd/server/v3@$ETCD_VERSION in $mod"
  go mod init shipyard.local/build/etcd >/dev/null 2>&1
  # The server module's go.mod replaces its siblings with ../api etc., which `go install pkg@v`
  # rejects; as a dependency those replaces are ignored, so pin the siblings to the same release.
  local m
  for m in go.etcd.io/etcd/server/v3 go.etcd.io/etcd/api/v3 go.etcd.io/etcd/client/pkg/v3 \
    go.etcd.io/etcd/client/v3 go.etcd.io/etcd/pkg/v3; do
    go mod edit -require="$m@$ETCD_VERSION"
  done
  log "resolving dependencies of go.etcd.io/etcd/server/v3"
  go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >&2
  log "building etcd $ETCD_VERSION"
  go build -trimpath -ldflags="-s -w" -o "$work/out/etcd" go.etcd.io/etcd/server/v3
}

start=$SECONDS
mkdir -p "$bin_dir"
if [ -x "$bin_dir/etcd" ]; then
  log "etcd already present in $bin_dir"
else
  build_etcd
  mv -f "$work/out/etcd" "$bin_dir/etcd"
  log "installed $bin_dir/etcd"
fi
if [ -x "$bin_dir/kube-apiserver" ]; then
  log "kube-apiserver already present in $bin_dir"
else
  build_kube_apiserver
  mv -f "$work/out/kube-apiserver" "$bin_dir/kube-apiserver"
  log "installed $bin_dir/kube-apiserver"
fi
log "done in $((SECONDS - start))s"
echo "$bin_dir"
