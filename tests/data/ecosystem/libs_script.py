"""Run under `python -m rustorch` by test_ecosystem_libs.py: libraries that `import torch`
themselves, from PyPI, working on rustorch. One section per argv[1]."""
import json
import sys

import numpy as np
import torch

what = sys.argv[1]
out = {}

if what == "safetensors":
    from safetensors.torch import load, load_file, save, save_file
    tensors = {"w": torch.arange(6, dtype=torch.float32).reshape(2, 3), "b": torch.tensor([1.5, -2.0], dtype=torch.bfloat16),
               "i": torch.tensor([1, 2, 3], dtype=torch.int64), "m": torch.tensor([True, False])}
    save_file(tensors, sys.argv[2], metadata={"k": "v"})
    back = load_file(sys.argv[2])
    out["roundtrip"] = {k: [str(v.dtype), v.float().tolist()] for k, v in sorted(back.items())}
    out["bytes_roundtrip"] = sorted(load(save(tensors)))
    pt = load_file(sys.argv[3])
    out["pytorch_written"] = {k: [str(v.dtype), list(v.shape), v.float().tolist()] for k, v in sorted(pt.items())}
elif what == "einops":
    import einops
    from einops.layers.torch import Rearrange, Reduce
    x = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4)
    out["rearrange"] = einops.rearrange(x, "a b c -> c (a b)").tolist()
    out["reduce"] = einops.reduce(x, "a b c -> a c", "max").tolist()
    out["repeat"] = einops.repeat(x[0, 0], "c -> c r", r=2).tolist()
    out["layers"] = torch.nn.Sequential(Rearrange("a b c -> a (b c)"), Reduce("a n -> n", "mean"))(x).tolist()
    out["backend"] = type(einops._backends.get_backend(x)).__name__
elif what == "tqdm":
    from torch.utils.data import DataLoader, TensorDataset
    from tqdm import tqdm
    loader = DataLoader(TensorDataset(torch.arange(10.0)), batch_size=3)
    out["batches"] = [b[0].tolist() for b in tqdm(loader, desc="batches", file=sys.stderr)]
elif what == "skorch":
    from skorch import NeuralNetClassifier
    torch.manual_seed(0)
    rs = np.random.RandomState(0)
    X = rs.randn(200, 5).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = torch.nn.Sequential(torch.nn.Linear(5, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2),
                                              torch.nn.Softmax(dim=-1))  # skorch: NLLLoss over probabilities

        def forward(self, X):
            return self.layers(X)

    net = NeuralNetClassifier(Net, max_epochs=15, lr=0.2, batch_size=32, train_split=None, verbose=0,
                              optimizer=torch.optim.SGD, iterator_train__shuffle=True)
    net.fit(X, y)
    out["accuracy"] = float((net.predict(X) == y).mean())
    out["proba_shape"] = list(net.predict_proba(X[:4]).shape)
    out["epochs"] = len(net.history)
print(json.dumps(out))
