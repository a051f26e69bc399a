"""The AVX-512 variants of the float unary maps (chosen at run time) give the AVX2 variants' bits.
`RUSTORCH_DISABLE_AVX512=1` makes a fresh interpreter use the AVX2 ones; on a CPU without AVX-512
both runs take the AVX2 path and the test is skipped."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

HAS_AVX512 = Path("/proc/cpuinfo").exists() and all(
    flag in Path("/proc/cpuinfo").read_text() for flag in ("avx512f", "avx512bw", "avx512dq", "avx512vl"))

SCRIPT = """
import sys, numpy as np, rustorch as torch
F = torch.nn.functional
rs = np.random.RandomState(0)
x = torch.from_numpy(np.concatenate([rs.randn(5000) * 4, rs.randn(3000) * 40, [0.0, -0.0, 1e-30, -89.5, 95.0]]).astype(np.float32))
outs = [x.exp(), x.tanh(), x.sigmoid(), x.abs().log1p(), x.abs().log(), x.erf(), F.gelu(x), F.gelu(x, approximate="tanh"),
        F.silu(x), x.half().exp().float(), x.double().exp().float(), x * 0.3 + 1]
np.save(sys.argv[1], np.stack([o.numpy() for o in outs]))
"""


@pytest.mark.skipif(not HAS_AVX512, reason="this CPU has no AVX-512: only the AVX2 variants exist to run")
def test_avx512_and_avx2_unary_maps_agree_bit_for_bit(tmp_path):
    results = []
    for disable in (False, True):
        env = dict(os.environ)
        env.pop("RUSTORCH_DISABLE_AVX512", None)
        if disable:
            env["RUSTORCH_DISABLE_AVX512"] = "1"
        out = tmp_path / f"disable_{disable}.npy"
        subprocess.run([sys.executable, "-c", SCRIPT, str(out)], check=True, env=env)
        results.append(np.load(out))
    np.testing.assert_array_equal(results[0].view(np.uint32), results[1].view(np.uint32))
