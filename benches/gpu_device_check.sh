#!/usr/bin/env bash
# ONE call on a lent NVIDIA machine (see /work/.library/device/README.md): check that rustorch's
# `cuda` device (wgpu over Vulkan) runs there, run the device tests, and time the GPU rows of
# benches/compare.py against PyTorch CUDA. The machine has no Rust toolchain and no network, so
# what it needs is prepared here first:
#
#   cargo build --release --lib --features pyo3/extension-module
#   cp target/release/librustorch.so python/rustorch/_C.abi3.so       # gitignored: carried
#   echo /.gl/ >> .git/info/exclude; mkdir -p .gl /tmp/amd64/partial
#   o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
#   apt-get $o update; (cd .gl && apt-get $o download libvulkan1)   # the Vulkan loader
#
# then, in the session: run(command="bash benches/gpu_device_check.sh",
#   carry=[".gl", "python/rustorch/_C.abi3.so"], timeout_s=540)
# Everything it prints also goes to $OUT/gpu_check.log. Steps are bounded so that the
# benchmark rows still run when a test hangs.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/gpu_check}
mkdir -p "$OUT"
exec > >(tee "$OUT/gpu_check.log") 2>&1
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD/python"

echo "== Vulkan loader and driver"
if [ -d .gl ]; then for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig; fi
if [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
    export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
fi
ldconfig -p | grep -m1 libvulkan || echo "no libvulkan: carry .gl (see the header)"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>/dev/null

echo "== rustorch sees the GPU"
timeout 120 python3 - <<'PY' || { echo "rustorch has no usable GPU: stopping"; exit 1; }
import rustorch as torch
print("info:", torch.backends.wgpu.info())
assert torch.cuda.is_available(), "no cuda device"
x = torch.arange(6.0, device="cuda").reshape(2, 3)
print((x @ x.t()).cpu().tolist(), (x.exp().sum(1)).cpu().tolist())
PY

echo "== device tests"
timeout 240 python3 -m pytest -q -x -p no:cacheprovider tests/test_device.py tests/test_device_kernels.py 2>&1 | tail -25

echo "== GPU rows of benches/compare.py (rustorch vs PyTorch CUDA, TF32 off)"
timeout 180 python3 benches/compare.py -k gpu
echo "== done"
