#!/usr/bin/env bash
# Shared by .ci/demo, .ci/test and .ci/run: install Debian packages, configure
# and build Mica. Idempotent; run as root on Debian 12 (bookworm).
set -euo pipefail

MICA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${MICA_BUILD_DIR:-$MICA_ROOT/build}"

MICA_APT_PACKAGES=(
  # toolchain: LLVM/MLIR 22, clang + lld, LLVM's OpenMP runtime
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 lld-22
  libomp-22-dev cmake ninja-build ccache
  # model formats and kernels
  libonnx-dev libonnx-testdata libprotobuf-dev protobuf-compiler
  libdnnl-dev ocl-icd-opencl-dev opencl-c-headers
  # Python module, model generators and reference outputs
  pybind11-dev python3-dev python3-numpy python3-pytest python3-onnx
  python3-torch
)

mica_install_deps() {
  local missing=()
  for p in "${MICA_APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" \
      || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "== installing: ${missing[*]}"
    local sudo=""
    [[ $(id -u) -ne 0 ]] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
      --no-install-recommends "${missing[@]}"
  fi
}

mica_build() {
  echo "== configuring and building Mica in $BUILD_DIR"
  cmake -G Ninja -S "$MICA_ROOT" -B "$BUILD_DIR" >/dev/null
  ninja -C "$BUILD_DIR" -j"${MICA_JOBS:-$(nproc)}" all "$@"
}
