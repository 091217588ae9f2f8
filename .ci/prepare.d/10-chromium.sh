#!/usr/bin/env bash
# Installs Debian's Chromium for the HTML report tests (Playwright drives it through
# executable_path=/usr/bin/chromium; `playwright install` is never used because browser
# downloads are not reachable). Fonts are installed so text renders and screenshots are
# readable. Idempotent: does nothing when Chromium and the fonts are present.
set -euo pipefail

PACKAGES=(chromium fonts-liberation fonts-dejavu-core)
APT=(apt-get -o DPkg::Lock::Timeout=600)
export DEBIAN_FRONTEND=noninteractive

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$pkg")
done
if [ "${#missing[@]}" -eq 0 ] && [ -x /usr/bin/chromium ]; then
  echo "chromium present: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)" >&2
  exit 0
fi
# Try the cached package lists first; refresh them only when that fails.
"${APT[@]}" install -y --no-install-recommends "${missing[@]}" || {
  "${APT[@]}" update && "${APT[@]}" install -y --no-install-recommends "${missing[@]}"
}
echo "chromium installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)" >&2
