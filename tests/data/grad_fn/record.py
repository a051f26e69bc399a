"""Records the autograd graphs (grad_fn names and next_functions) of small models built from
every common layer and loss, with real PyTorch:

    /opt/torchvenv/bin/python tests/data/grad_fn/record.py

writes graphs.json beside this file. tests/test_grad_fn.py builds the same models with rustorch
(``cases(torch)`` below takes either library) and compares the graphs."""
import json
import os


def graph(root):
    """The graph below ``root`` as a list of nodes in depth-first order (following
    next_functions in order), each ``[name, [child index or None, ...]]``; shared nodes are
    listed once."""
    nodes, seen = [], {}  # grad_fn objects hash and compare by the node they stand for

    def visit(fn):
        if fn is None:
            return None
        key = fn
        if key in seen:
            return seen[key]
        seen[key] = len(nodes)
        entry = [fn.name(), []]
        nodes.append(entry)
        entry[1] = [visit(child) for child, _ in fn.next_functions]
        return seen[key]

    visit(root)
    return nodes


def cases(torch):
    """name -> a function returning the tensor whose graph is recorded."""
    nn, F = torch.nn, torch.nn.functional

    def seeded(make):
        def run():
            torch.manual_seed(0)
            return make()
        return run

    def cnn(train):
        model = nn.Sequential(
            nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(4, 6, 3), nn.ReLU(), nn.AvgPool2d(2), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
            nn.Linear(6, 8), nn.Dropout(0.5), nn.Linear(8, 5))
        model.train(train)
        x = torch.randn(2, 3, 12, 12)
        return nn.CrossEntropyLoss()(model(x), torch.tensor([1, 3]))

    def sequence():
        emb, proj, norm, head = nn.Embedding(10, 6, padding_idx=0), nn.Linear(6, 6), nn.LayerNorm(6), nn.Linear(6, 10, bias=False)
        tokens = torch.tensor([[1, 2, 0], [4, 5, 6]])
        logits = head(F.gelu(norm(proj(emb(tokens)))))
        return nn.NLLLoss()(F.log_softmax(logits, -1).view(-1, 10), tokens.view(-1))

    def linear_then(loss):
        def run():
            layer = nn.Linear(5, 4)
            return loss(layer(torch.randn(3, 5)))
        return run

    target = lambda: torch.rand(3, 4)
    return {
        "mlp_mse": seeded(linear_then(lambda out: nn.MSELoss()(out, target()))),
        "mlp_relu_mse_sum": seeded(linear_then(lambda out: nn.MSELoss(reduction="sum")(F.relu(out), target()))),
        "cnn_train": seeded(lambda: cnn(True)),
        "cnn_eval": seeded(lambda: cnn(False)),
        "sequence": seeded(sequence),
        "l1": seeded(linear_then(lambda out: nn.L1Loss()(out, target()))),
        "smooth_l1": seeded(linear_then(lambda out: nn.SmoothL1Loss(beta=0.5)(out, target()))),
        "huber": seeded(linear_then(lambda out: nn.HuberLoss(delta=0.5)(out, target()))),
        "bce": seeded(linear_then(lambda out: nn.BCELoss()(torch.sigmoid(out), target()))),
        "bce_with_logits": seeded(linear_then(lambda out: nn.BCEWithLogitsLoss(pos_weight=torch.ones(4))(out, target()))),
        "nll_weight": seeded(linear_then(lambda out: nn.NLLLoss(weight=torch.rand(4), ignore_index=1)(F.log_softmax(out, 1), torch.tensor([0, 1, 3])))),
        "cross_entropy_none": seeded(linear_then(lambda out: nn.CrossEntropyLoss(reduction="none")(out, torch.tensor([0, 1, 3])))),
        "cross_entropy_smoothing": seeded(linear_then(lambda out: nn.CrossEntropyLoss(label_smoothing=0.1)(out, torch.tensor([0, 1, 3])))),
        "kl_div": seeded(linear_then(lambda out: nn.KLDivLoss(reduction="batchmean")(F.log_softmax(out, 1), torch.softmax(target(), 1)))),
        "softmax_sum": seeded(linear_then(lambda out: F.softmax(out, 1).sum())),
        "nll_2d": seeded(lambda: F.nll_loss(F.log_softmax(nn.Conv2d(2, 3, 1)(torch.randn(2, 2, 4, 4)), 1), torch.zeros(2, 4, 4, dtype=torch.long))),
        "nll_3d_input": seeded(lambda: F.nll_loss(nn.Conv1d(2, 3, 1)(torch.randn(2, 2, 5)), torch.zeros(2, 5, dtype=torch.long))),
        "conv1d_bn1d": seeded(lambda: nn.BatchNorm1d(3)(nn.Conv1d(2, 3, 3, bias=False)(torch.randn(4, 2, 8))).sum()),
        "bn_no_affine": seeded(lambda: nn.BatchNorm2d(2, affine=False)(nn.Conv2d(1, 2, 1)(torch.randn(2, 1, 3, 3))).sum()),
        "linear_3d_no_bias": seeded(lambda: nn.Linear(4, 2, bias=False)(torch.randn(2, 3, 4, requires_grad=True)).sum()),
        "linear_1d": seeded(lambda: nn.Linear(4, 2)(torch.randn(4, requires_grad=True)).sum()),
        "gelu_tanh": seeded(lambda: F.gelu(nn.Linear(3, 3)(torch.randn(2, 3)), approximate="tanh").sum()),
        "view_flatten": seeded(lambda: torch.flatten(nn.Conv2d(1, 2, 2)(torch.randn(1, 1, 3, 3)), 1).view(-1).sum()),
    }


if __name__ == "__main__":
    import torch

    graphs = {name: graph(make().grad_fn) for name, make in cases(torch).items()}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "graphs.json")
    with open(path, "w") as f:
        json.dump({"torch": torch.__version__, "graphs": graphs}, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path}: {len(graphs)} graphs")
