"""The evaluation classifier: a small two-convolution CNN (16 and 32 channels, ~2.4 MFLOP an image,
so a few epochs train in minutes on one CPU thread) on [n, 1, 28, 28] images in [0, 1]."""
import os

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEFAULT_CACHE = os.path.join(ROOT, '.cache', 'fashion-classifier.pt')


class FashionCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),   # 14x14
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),  # 7x7
        )
        self.head = nn.Sequential(
            nn.Flatten(), nn.Dropout(0.25), nn.Linear(32 * 7 * 7, 128), nn.ReLU(),
            nn.Dropout(0.25), nn.Linear(128, 10),
        )

    def forward(self, x):
        return self.head(self.features(x))

    def penultimate(self, x):
        """The 128 ReLU activations before the last Linear layer (eval mode: dropout off)."""
        return self.head[:-2](self.features(x))


def load_classifier(path=DEFAULT_CACHE):
    """(model in eval mode, the metadata saved with it)."""
    blob = torch.load(path, map_location='cpu')
    model = FashionCNN()
    model.load_state_dict(blob['state_dict'])
    model.eval()
    return model, {k: v for k, v in blob.items() if k != 'state_dict'}


@torch.no_grad()
def predict_proba(model, images, batch=500):
    """Softmax probabilities [n, 10] for float32 images [n, 28, 28] in [0, 1] (numpy)."""
    x = torch.from_numpy(images).float().reshape(-1, 1, 28, 28)
    return torch.cat([torch.softmax(model(x[i:i + batch]), dim=1) for i in range(0, len(x), batch)]).numpy()


@torch.no_grad()
def predict_with_features(model, images, batch=500):
    """(softmax probabilities [n, 10], penultimate features [n, 128]) as float64 numpy arrays."""
    x = torch.from_numpy(images).float().reshape(-1, 1, 28, 28)
    probs, feats = [], []
    for i in range(0, len(x), batch):
        f = model.penultimate(x[i:i + batch])
        feats.append(f)
        probs.append(torch.softmax(model.head[-1](f), dim=1))
    return torch.cat(probs).double().numpy(), torch.cat(feats).double().numpy()
