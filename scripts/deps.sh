#!/usr/bin/env bash
# Installs the Debian packages airy needs, only those that are missing.
# The one list of build dependencies lives here (design.md §2); nothing is
# downloaded at build time. Non-interactive so that CI (no terminal) can run it.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config clang-format
  ccache              # scripts/test.sh: the Python package's build reuses the main build's objects
  libeigen3-dev       # dense arrays, complex GEMM
  libfftw3-dev        # FFT propagator
  libtomlplusplus-dev # configuration files
  libcli11-dev        # command line
  libfmt-dev          # tables and messages
  libcfitsio-dev      # FITS images
  libnetcdf-dev       # ArviZ InferenceData (NetCDF-4)
  libcairo2-dev fonts-dejavu-core # plots
  librandom123-dev    # Philox counter-based RNG
  libgtest-dev libgmock-dev libbenchmark-dev # tests and benchmarks
  libnlopt-dev        # L-BFGS for MAP fits
  python3 python3-xarray python3-netcdf4 python3-h5netcdf python3-astropy # file-format round-trip tests
  python3-dev python3-venv # the Python package (headers, test venv)
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "airy: installing missing Debian packages: ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "airy: all Debian dependencies present"
fi
