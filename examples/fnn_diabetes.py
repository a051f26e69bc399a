"""Seed 003 section 7: a feed-forward network (Linear + Sigmoid layers) trained with BCELoss
on a tab-separated data file read by np.loadtxt, through Dataset and DataLoader.

    python examples/fnn_diabetes.py [path/to/diabetes.txt] [--epochs N] [--plot loss.png]

Without a data file it uses scikit-learn's bundled copy of the diabetes data (442 x 10, the
label 1 where disease progression is above the median) when scikit-learn is installed, and a
synthetic file (10 features, a 0/1 label) otherwise. With matplotlib it plots the loss curve
to loss.png, as the seed does.
"""
import argparse
import os
import tempfile

import numpy as np
import rustorch as torch
from rustorch.utils.data import DataLoader, Dataset


class DiabetesDataset(Dataset):
    def __init__(self, filepath):
        xy = np.loadtxt(filepath, delimiter="\t", dtype=np.float32, encoding="utf-8")
        self.len = xy.shape[0]
        for i in range(xy.shape[1]):  # min-max normalisation per column, as in the seed
            xy_max = np.max(xy[:, i])
            xy_min = np.min(xy[:, i])
            xy[:, i] = (xy[:, i] - xy_min) / (xy_max - xy_min)
        self.x_data = torch.from_numpy(xy[:, :-1])
        self.y_data = torch.from_numpy(xy[:, -1])

    def __getitem__(self, index):
        return self.x_data[index], self.y_data[index]

    def __len__(self):
        return self.len


class FNNModel(torch.nn.Module):
    def __init__(self):
        super(FNNModel, self).__init__()
        self.linear1 = torch.nn.Linear(10, 6)
        self.linear2 = torch.nn.Linear(6, 4)
        self.linear3 = torch.nn.Linear(4, 2)
        self.linear4 = torch.nn.Linear(2, 1)
        self.sigmoid = torch.nn.Sigmoid()

    def forward(self, x):
        x = self.sigmoid(self.linear1(x))
        x = self.sigmoid(self.linear2(x))
        x = self.sigmoid(self.linear3(x))
        x = self.sigmoid(self.linear4(x))
        return x


def synthetic_data_file(rows=759):
    rs = np.random.RandomState(0)
    feats = rs.rand(rows, 10) * 10
    labels = (feats[:, :3].sum(1) - feats[:, 3:6].sum(1) > 0).astype(np.float64)
    path = os.path.join(tempfile.mkdtemp(), "diabetes.txt")
    np.savetxt(path, np.column_stack([feats, labels]), delimiter="\t", fmt="%.6f")
    return path


def sklearn_data_file():
    """scikit-learn's diabetes data as the seed's tab-separated file, or None without it."""
    try:
        from sklearn.datasets import load_diabetes
    except ImportError:
        return None
    data = load_diabetes()
    labels = (data.target > np.median(data.target)).astype(np.float64)
    path = os.path.join(tempfile.mkdtemp(), "diabetes.txt")
    np.savetxt(path, np.column_stack([data.data, labels]), delimiter="\t", fmt="%.6f")
    return path


def plot_loss(losses, path):
    """The seed's loss curve, when matplotlib is installed."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no loss plot")
        return
    plt.plot(range(1, len(losses) + 1), losses)
    plt.xlabel("epoch")
    plt.ylabel("loss")
    plt.savefig(path)
    print("loss curve written to", path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", help="tab-separated file: 10 feature columns, then the label")
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--plot", default="loss.png", help="where to write the loss curve")
    args = parser.parse_args()

    torch.manual_seed(0)
    dataset = DiabetesDataset(args.data or sklearn_data_file() or synthetic_data_file())
    print("data: {} rows x {} features".format(dataset.len, dataset.x_data.shape[1]))
    batchsize = 32
    iters = dataset.len / batchsize
    train_loader = DataLoader(dataset=dataset, batch_size=batchsize, shuffle=True, drop_last=True, num_workers=0)
    model = FNNModel()
    criterion = torch.nn.BCELoss(reduction="mean")
    # The seed uses lr=0.01 on its data; four stacked sigmoids need a larger step to learn here.
    optimizer = torch.optim.SGD(model.parameters(), lr=2.0)
    losses = []
    for epoch in range(args.epochs):
        loss_one_epoch = 0
        for i, data in enumerate(train_loader, 0):
            inputs, labels = data
            y_pred = model(inputs)
            loss = criterion(y_pred, labels.unsqueeze(dim=1))
            loss_one_epoch += loss.item()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        losses.append(loss_one_epoch / iters)
        print("Epoch[{}/{}], loss:{:.6f}".format(epoch + 1, args.epochs, losses[-1]))
    with torch.no_grad():
        accuracy = ((model(dataset.x_data).squeeze(1) > 0.5).float() == dataset.y_data).float().mean()
    print("accuracy: {:.3f}".format(accuracy.item()))
    plot_loss(losses, args.plot)


if __name__ == "__main__":
    main()
