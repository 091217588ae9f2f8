#!/usr/bin/env bash
# git: repository-evidence tests build real repositories (commits, tags, merges, reverts,
# shallow clones) and the delivery-history collector runs git itself.
set -euo pipefail
if command -v git >/dev/null 2>&1; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends git >/dev/null
