# Sourced by scripts/run and scripts/test: makes .venv with the project installed.
# Works on a fresh Debian machine that has only python3: installs python3-venv when missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# the PDF documents: WeasyPrint draws text with Pango; WenQuanYi Zen Hei has the Chinese
# characters (simplified and traditional) of the point names
need_apt=(libpango-1.0-0 libpangoft2-1.0-0 fonts-wqy-zenhei)
python3 -c 'import ensurepip, venv' 2>/dev/null || need_apt+=(python3-venv python3-pip)
if [ ${#need_apt[@]} -gt 0 ] || [ -n "${EXTRA_APT:-}" ]; then
  missing=()
  for pkg in "${need_apt[@]}" ${EXTRA_APT:-}; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".${EXTRAS:-}"
