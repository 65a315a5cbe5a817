#!/usr/bin/python3
"""Trains the evaluation classifier on Fashion-MNIST's training split (seeded), prints its
test-split accuracy and saves the weights (default .cache/fashion-classifier.pt, not committed).

  /usr/bin/python3 scripts/fashion-eval/train_classifier.py [--data DIR] [--out PATH]
        [--epochs 3] [--seed 0] [--threads 1]
"""
import argparse
import os
import sys
import time

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from classifier import DEFAULT_CACHE, FashionCNN, predict_proba  # noqa: E402
from idx import DEFAULT_DIR, load_split  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', default=DEFAULT_DIR)
    ap.add_argument('--out', default=DEFAULT_CACHE)
    ap.add_argument('--epochs', type=int, default=3)
    ap.add_argument('--batch', type=int, default=128)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--threads', type=int, default=1)
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    x, y = load_split('train', a.data)
    xt, yt = load_split('test', a.data)
    x = torch.from_numpy(x).reshape(-1, 1, 28, 28)
    y = torch.from_numpy(y)

    model = FashionCNN()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, epochs=a.epochs,
                                                steps_per_epoch=(len(x) + a.batch - 1) // a.batch)
    loss_fn = nn.CrossEntropyLoss()
    shuffle = torch.Generator().manual_seed(a.seed)
    started = time.time()
    for epoch in range(a.epochs):
        model.train()
        order = torch.randperm(len(x), generator=shuffle)
        total, n = 0.0, 0
        for i in range(0, len(x), a.batch):
            idx = order[i:i + a.batch]
            opt.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
            n += len(idx)
            if (i // a.batch) % 100 == 99:
                print(f'  epoch {epoch + 1} batch {i // a.batch + 1}: loss {total / n:.4f} ({time.time() - started:.0f} s)', flush=True)
        model.eval()
        acc = float((predict_proba(model, xt).argmax(1) == yt).mean())
        print(f'epoch {epoch + 1}/{a.epochs}: train loss {total / n:.4f}, test accuracy {acc:.4f} '
              f'({time.time() - started:.0f} s)', flush=True)

    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    torch.save({'state_dict': model.state_dict(), 'test_accuracy': acc, 'epochs': a.epochs,
                'seed': a.seed, 'torch': torch.__version__}, a.out)
    print(f'test accuracy {acc:.4f} (10,000 test images); saved {a.out}')


if __name__ == '__main__':
    main()
