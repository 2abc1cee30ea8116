#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian/Ubuntu machine: system packages, virtualenv, requirements,
# database (embedded PostgreSQL unless DATABASE_URL is set) and migrations. `--test` adds test tools.
set -euo pipefail
cd "$(dirname "$0")/.."

WITH_TEST=0
[[ "${1:-}" == "--test" ]] && WITH_TEST=1

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }

# 1. System packages ---------------------------------------------------------------------------------
packages=()
command -v tesseract >/dev/null || packages+=(tesseract-ocr tesseract-ocr-eng)
if command -v tesseract >/dev/null && ! tesseract --list-langs 2>/dev/null | grep -qx osd; then packages+=(tesseract-ocr-osd); fi
command -v tesseract >/dev/null || packages+=(tesseract-ocr-osd)
command -v pdftoppm >/dev/null || packages+=(poppler-utils)
if [[ $WITH_TEST == 1 ]]; then
  command -v chromium >/dev/null || packages+=(chromium fonts-dejavu-core)
  command -v espeak-ng >/dev/null || packages+=(espeak-ng)  # real speech recordings for the transcription tests
  command -v redis-server >/dev/null || packages+=(redis-server)  # the scale-out test starts its own Redis
fi
if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then packages+=(python3-venv); fi
if (( ${#packages[@]} )); then
  if [[ $(id -u) == 0 ]]; then
    say "Installing system packages: ${packages[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  else
    echo "MySmartNotes needs these system packages. Run:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${packages[*]}" >&2
    exit 1
  fi
fi

# 2. Virtualenv and requirements -------------------------------------------------------------------------
reqs=requirements/prod.txt
[[ $WITH_TEST == 1 ]] && reqs=requirements/dev.txt
stamp=.venv/.installed-$(cat requirements/*.txt "$reqs" | sha256sum | cut -c1-16)-$(basename "$reqs" .txt)
if [[ ! -x .venv/bin/python ]]; then
  say "Creating the virtualenv in .venv"
  python3 -m venv .venv
fi
if [[ ! -f $stamp ]]; then
  say "Installing Python requirements ($reqs)"
  .venv/bin/pip install -q --upgrade pip
  # torch first and pinned: this version is the CPU build; a looser pin pulls a multi-GB CUDA build.
  .venv/bin/pip install -q "$(grep -E '^torch==' requirements/local-ai.txt)"
  .venv/bin/pip install -q -r "$reqs"
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# 3. Database and migrations ------------------------------------------------------------------------------
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-smartnotes.settings.base}"
if [[ -z "${DATABASE_URL:-}" ]]; then say "Starting the embedded PostgreSQL in var/pg (set DATABASE_URL to use your own)"; fi
.venv/bin/python manage.py migrate --noinput -v 0
.venv/bin/python manage.py createcachetable
say "Set-up complete"
