"""A small CNN (Conv-ReLU-MaxPool-Conv-ReLU-AdaptiveAvgPool-Linear) trained with
CrossEntropyLoss and SGD with momentum on a synthetic 3x32x32 image task (a square on noise
whose colour is the class). Prints loss and test accuracy per epoch.

    python examples/cnn_train.py [--epochs N]
"""
import argparse

import rustorch as torch
from rustorch import nn
from rustorch.utils.data import DataLoader, TensorDataset

try:  # a progress bar over the batches when tqdm is installed
    from tqdm import tqdm
except ImportError:
    def tqdm(iterable, **kwargs):
        return iterable


class SmallCNN(nn.Module):
    def __init__(self, classes=4):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
        )
        self.classifier = nn.Linear(32, classes)

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


def synthetic_images(n, classes=4):
    """Noise with one 8x8 square at a random place: bright in channel c for classes 0-2, dark
    in every channel for class 3."""
    labels = torch.randint(0, classes, (n,))
    images = torch.randn(n, 3, 32, 32) * 0.5
    corners = torch.randint(0, 24, (n, 2)).tolist()
    for i, (label, (r, c)) in enumerate(zip(labels.tolist(), corners)):
        if label < 3:
            images[i, label, r:r + 8, c:c + 8] += 2.0
        else:
            images[i, :, r:r + 8, c:c + 8] -= 2.0
    return images, labels


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    torch.manual_seed(0)
    train = DataLoader(TensorDataset(*synthetic_images(1024)), batch_size=32, shuffle=True)
    test_x, test_y = synthetic_images(256)
    model = SmallCNN()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(args.epochs):
        model.train()
        total = 0.0
        for images, labels in tqdm(train, desc="epoch %d" % (epoch + 1), leave=False):
            optimizer.zero_grad()
            loss = criterion(model(images), labels)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(labels)
        model.eval()
        with torch.no_grad():
            accuracy = (model(test_x).argmax(1) == test_y).float().mean().item()
        print("Epoch[{}/{}], loss:{:.4f}, test accuracy:{:.3f}".format(epoch + 1, args.epochs, total / 1024, accuracy))


if __name__ == "__main__":
    main()
