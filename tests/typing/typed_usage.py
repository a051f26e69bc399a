"""A typed PyTorch-style program checked by mypy in the test suite (test_typing.py): the stubs
must let ordinary code type-check, and catch a misuse."""
from typing import List, Tuple

import rustorch as torch
from rustorch import Tensor, nn


class TwoLayer(nn.Module):
    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(4, hidden)
        self.fc2 = nn.Linear(hidden, 1)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc2(self.fc1(x).relu())


def batches(n: int) -> List[Tuple[Tensor, Tensor]]:
    x: Tensor = torch.randn(n, 4)
    y: Tensor = x.sum(1, keepdim=True) * 0.5
    return [(x[i:i + 8], y[i:i + 8]) for i in range(0, n, 8)]


def train(steps: int) -> float:
    model = TwoLayer(8)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_value = 0.0
    for _ in range(steps):
        for xb, yb in batches(32):
            loss: Tensor = nn.functional.mse_loss(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss_value = loss.item()
    return loss_value


dtype: torch.dtype = torch.float32
scaled: Tensor = torch.zeros(3, dtype=dtype) + torch.ones(3) @ torch.eye(3)
