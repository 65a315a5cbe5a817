"""One GAN step of the tutorial DCGAN in PyTorch on the CPU with one thread (the bench's peer).

Generator Dense(100→7·7·128) → LeakyReLU(0.2) → Reshape → 2 × [ConvTranspose 128 4×4 s2 'same' →
LeakyReLU(0.2)] → Conv 1 7×7 'same' tanh; discriminator 2 × [Conv 64 3×3 s2 'same' → LeakyReLU(0.2)
→ Dropout(0.4)] → Flatten → Dense 1 → sigmoid (BCE from the logits, as Keras's TF backend does);
Adam(2e-4, 0.5). A step: g(z) on 64 latents (no grad), d on 64 real + 64 fake, the combined model
on 128 latents (gradients into g only). Prints one JSON line with the timings in ms.
Usage: /usr/bin/python3 bench/train/torch_step.py [--warmup 2] [--steps 5]
"""
import argparse
import json
import time

import torch
import torch.nn as nn

p = argparse.ArgumentParser()
p.add_argument('--warmup', type=int, default=2)
p.add_argument('--steps', type=int, default=5)
args = p.parse_args()
torch.set_num_threads(1)
torch.manual_seed(1)


class G(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(100, 7 * 7 * 128)
        # Keras 'same' for k4 s2: output 2n, crop 1 at the start (padding=1), output_padding 0
        self.t1 = nn.ConvTranspose2d(128, 128, 4, stride=2, padding=1)
        self.t2 = nn.ConvTranspose2d(128, 128, 4, stride=2, padding=1)
        self.out = nn.Conv2d(128, 1, 7, padding=3)
        self.act = nn.LeakyReLU(0.2)

    def forward(self, z):
        x = self.act(self.dense(z)).view(-1, 128, 7, 7)
        x = self.act(self.t1(x))
        x = self.act(self.t2(x))
        return torch.tanh(self.out(x))


class D(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 64, 3, stride=2, padding=1)
        self.c2 = nn.Conv2d(64, 64, 3, stride=2, padding=1)
        self.dense = nn.Linear(7 * 7 * 64, 1)
        self.act = nn.LeakyReLU(0.2)
        self.drop = nn.Dropout(0.4)

    def forward(self, x):
        x = self.drop(self.act(self.c1(x)))
        x = self.drop(self.act(self.c2(x)))
        return self.dense(x.flatten(1))  # logits; the loss applies the sigmoid


g, d = G(), D()
opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999), eps=1e-7)
opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999), eps=1e-7)
bce = nn.BCEWithLogitsLoss()
real = torch.rand(64, 1, 28, 28) * 2 - 1
labels_d = torch.cat([torch.ones(64, 1), torch.zeros(64, 1)])
ones = torch.ones(128, 1)


def step():
    t0 = time.perf_counter()
    with torch.no_grad():
        g.eval()
        fake = g(torch.randn(64, 100))
        g.train()
    t1 = time.perf_counter()
    opt_d.zero_grad()
    loss_d = bce(d(torch.cat([real, fake])), labels_d)
    loss_d.backward()
    opt_d.step()
    t2 = time.perf_counter()
    opt_g.zero_grad()
    for q in d.parameters():
        q.requires_grad_(False)
    loss_g = bce(d(g(torch.randn(128, 100))), ones)
    loss_g.backward()
    opt_g.step()
    for q in d.parameters():
        q.requires_grad_(True)
    t3 = time.perf_counter()
    return [(t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3, (t3 - t0) * 1e3]


for _ in range(args.warmup):
    step()
rows = [step() for _ in range(args.steps)]
print(json.dumps({'impl': 'pytorch', 'version': torch.__version__, 'threads': torch.get_num_threads(),
                  'parts': ['g.predict(64)', 'd.train(128)', 'gan.train(128)', 'step'], 'ms': rows}))
