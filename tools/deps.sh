#!/bin/sh
# deps.sh - install what building, running and testing warmharbor needs on
# Debian 12, skipping what is already there. Run as root (or with sudo).
set -e
need=""
have_pkg() { pkg-config --exists "$1" 2>/dev/null; }
command -v pkg-config >/dev/null 2>&1 || need="$need pkg-config"
command -v cc >/dev/null 2>&1 || need="$need gcc"
command -v make >/dev/null 2>&1 || need="$need make"
command -v clang >/dev/null 2>&1 || need="$need clang"
command -v clang-format >/dev/null 2>&1 || need="$need clang-format"
[ -e /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a ] || \
  ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 || \
  need="$need libclang-rt-14-dev"
have_pkg libmicrohttpd || need="$need libmicrohttpd-dev"
have_pkg jansson || need="$need libjansson-dev"
have_pkg sqlite3 || need="$need libsqlite3-dev"
have_pkg libpq || need="$need libpq-dev"
have_pkg libsodium || need="$need libsodium-dev"
have_pkg liboath || need="$need liboath-dev"
have_pkg libical || need="$need libical-dev"
have_pkg vips || need="$need libvips-dev"
have_pkg libjpeg || need="$need libjpeg62-turbo-dev"
have_pkg libxxhash || need="$need libxxhash-dev"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need="$need postgresql"
command -v node >/dev/null 2>&1 || need="$need nodejs npm"
command -v chromium >/dev/null 2>&1 || need="$need chromium"
command -v curl >/dev/null 2>&1 || need="$need curl"
command -v sqlite3 >/dev/null 2>&1 || need="$need sqlite3"
command -v nginx >/dev/null 2>&1 || need="$need nginx-light"
if [ -n "$need" ]; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO=sudo
  echo "installing:$need"
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need
fi
if [ -f package-lock.json ]; then
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
    npm ci --no-audit --no-fund
    touch node_modules
  fi
fi
