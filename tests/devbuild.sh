#!/usr/bin/env bash
# Quick incremental build of the extension into the source tree (python/rustorch/_C.abi3.so),
# for running the tests against a checkout without installing it:
#   bash tests/devbuild.sh && (cd tests && PYTHONPATH=../python python3 -m pytest -q)
# The devpy profile optimises the dependencies fully and the crate at opt-level 1 (Cargo.toml).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --profile devpy --lib --features pyo3/extension-module -q "$@"
cp -f target/devpy/librustorch.so python/rustorch/_C.abi3.so
echo "built $(pwd)/python/rustorch/_C.abi3.so"
