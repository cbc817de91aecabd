#!/usr/bin/env bash
# secgraph's two entry points. Each sets up everything it needs on a fresh machine.
#   bash run.sh main   install, load the seed data into the embedded store, serve the API on 127.0.0.1
#   bash run.sh test   install (Python packages, Java 17 and Maven if missing), run the whole test suite
#                      on every core (pytest-xdist)
#   bash run.sh bench  install, run the benchmarks in bench/ and write bench/results/
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
VENV=.venv

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  # Debian packages the project needs; installed only when missing.
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "[secgraph] apt-get install ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

python_env() {
  "$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version' \
    || { echo "[secgraph] Python 3.11 is required / Python 3.11 が必要です" >&2; exit 1; }
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  local stamp="$VENV/.installed-$(sha1sum pyproject.toml | cut -c1-12)-$1"
  if [ ! -f "$stamp" ]; then
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e ".[$1]"
    touch "$stamp"
  fi
}

java_env() {
  # The test Neo4j runs on Java 17 and is built with Maven (tools/neo4j-launcher).
  if ! command -v java >/dev/null 2>&1 || ! java -version 2>&1 | grep -q 'version "17'; then
    apt_install openjdk-17-jdk-headless
  fi
  command -v mvn >/dev/null 2>&1 || apt_install maven
}

case "${1:-}" in
  main)
    # Figures and PDFs: a Japanese font and Pango (WeasyPrint draws the profiles with it).
    apt_install fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0
    python_env main
    "$VENV/bin/secgraph" load seed_data
    exec "$VENV/bin/secgraph" serve --host 127.0.0.1 --port "${PORT:-8000}"
    ;;
  test)
    python_env test
    java_env
    # The browser tests use Debian's Chromium; Japanese must render (not tofu) in every picture;
    # PDF pages are checked with poppler's pdftoppm/pdftotext.
    apt_install chromium fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 poppler-utils
    shift
    # One worker per core (at most four: each may start its own Neo4j of ~400 MB). A test module
    # stays on one worker, so what it renders once per module is rendered once; modules go out in
    # file order. Not when the caller chose workers, a debugger, or a shared Neo4j (NEO4J_URI:
    # workers would clear each other's data).
    parallel=(-n auto --maxprocesses 4 --dist loadscope --no-loadscope-reorder)
    [ -z "${NEO4J_URI:-}" ] || parallel=()
    for arg in "$@"; do
      case "$arg" in
        -n | -n?* | --numprocesses* | --dist* | *no:xdist | --pdb | --trace) parallel=() ;;
      esac
    done
    exec "$VENV/bin/python" -m pytest "${parallel[@]}" "$@"
    ;;
  bench)
    python_env test,bench
    java_env
    # wrk sends the API bench's reads (C, beside the server on the same cores; bench/api_latency.py).
    apt_install chromium fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 wrk
    shift
    exec "$VENV/bin/python" bench/run.py "$@"
    ;;
  *)
    echo "usage: bash run.sh main | bash run.sh test [pytest args] | bash run.sh bench [options]" >&2
    exit 64
    ;;
esac
