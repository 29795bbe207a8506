#!/usr/bin/env bash
# Installs the real parts the tests need, idempotently (DESIGN §6): Debian packages,
# kube-apiserver and etcd built from their Go modules (cached outside the repo).
# The test harness starts and stops the servers itself, on loopback, per test run.
#   scripts/services.sh ensure    install what is missing; quiet when everything is there
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

need_apt=()
command -v dnsmasq >/dev/null 2>&1 || need_apt+=(dnsmasq-base)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
ls /usr/lib/postgresql/15/bin/postgres >/dev/null 2>&1 || need_apt+=(postgresql-15)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "services: installing ${need_apt[*]} with apt-get" >&2
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >&2
fi

bash "$repo/scripts/build-kube.sh" >/dev/null

# actionlint, built from its Go module, checks the workflows.
ACTIONLINT_VERSION=v1.7.12
tools="${SHIPYARD_CACHE:-$HOME/.cache/shipyard}/tools/actionlint-$ACTIONLINT_VERSION"
if [ ! -x "$tools/actionlint" ]; then
  echo "services: building actionlint $ACTIONLINT_VERSION" >&2
  mkdir -p "$tools"
  GOBIN="$tools" CGO_ENABLED=0 go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" >&2
fi
