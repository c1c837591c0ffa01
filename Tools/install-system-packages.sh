#!/usr/bin/env bash
# Installs the Debian packages hlm builds against, when they are missing:
# libxml2 (codebooks), OpenBLAS with LAPACK (linear algebra), NLopt (BOBYQA), SuiteSparse's CHOLMOD
# (sparse Cholesky), pkg-config.
# Extra package names given as arguments are installed too (e.g. texlive for the LaTeX tests).
set -euo pipefail

need=()
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
if command -v pkg-config >/dev/null 2>&1; then
  pkg-config --exists libxml-2.0 || need+=(libxml2-dev)
  pkg-config --exists openblas || need+=(libopenblas-dev)
  pkg-config --exists nlopt || need+=(libnlopt-dev)
else
  need+=(libxml2-dev libopenblas-dev libnlopt-dev)
fi
# SuiteSparse (CHOLMOD, the sparse factorisation) has no pkg-config file: look for its header.
[ -f /usr/include/suitesparse/cholmod.h ] || need+=(libsuitesparse-dev)
for extra in "$@"; do
  dpkg -s "$extra" >/dev/null 2>&1 || need+=("$extra")
done

[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "hlm needs these Debian packages: ${need[*]}" >&2
  echo "Install them with: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
echo "Installing ${need[*]} ..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
