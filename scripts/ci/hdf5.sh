#!/usr/bin/env bash
# The HDF5 loader of `searchrec ann-bench` (cargo feature `hdf5`) binds the
# system libhdf5: install Debian's libhdf5-dev when it is missing (as root,
# quietly, as .ci/run installs Chromium), then run the loader's tests with
# the feature on. Without the library and without root, say so and fail
# under CI, skip otherwise.
set -euo pipefail
cd "$(dirname "$0")/../.."

have_hdf5() {
  pkg-config --exists hdf5 2>/dev/null || [ -e /usr/include/hdf5/serial/hdf5.h ] || [ -e /usr/include/hdf5.h ]
}
if ! have_hdf5 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing libhdf5-dev from Debian's packages"
  apt_log="$(mktemp)"
  if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libhdf5-dev pkg-config; } \
    >"$apt_log" 2>&1; then
    tail -n 20 "$apt_log"
  fi
  rm -f "$apt_log"
fi
if ! have_hdf5; then
  if [ "${CI:-}" = true ]; then
    echo "no libhdf5, and it could not be installed: the HDF5 loader tests cannot run" >&2
    exit 1
  fi
  echo "no libhdf5 (install the Debian package libhdf5-dev); skipping the HDF5 loader tests"
  exit 0
fi
cargo test --locked -p searchrec-harness --features hdf5 --test ann_data
