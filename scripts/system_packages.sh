#!/usr/bin/env bash
# Install the Debian packages Hazard Ledger needs, when missing and when we may (root + apt).
#   pango + fonts-noto-cjk: WeasyPrint PDFs with Chinese text
#   chromium, poppler-utils: the browser tests and the tests that read PDFs' text (only with --browser)
set -euo pipefail
wanted=(libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk)
[[ "${1:-}" == "--browser" ]] && wanted+=(chromium poppler-utils)
missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
  echo "Missing system packages (install them as root): ${missing[*]}" >&2
  exit 0
fi
echo "Installing system packages: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
