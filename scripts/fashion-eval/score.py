#!/usr/bin/python3
"""Scores Fashion-MNIST samples with the evaluation classifier (train_classifier.py) and prints a
markdown table, one column per source: mean max-softmax confidence, the fraction above 0.9, the
class histogram (argmax), classes holding >= 5% of samples, the entropy in bits of that histogram
and of the mean prediction (log2 10 = 3.32 is uniform), exp(E_x[KL(p(y|x) || p(y))]) (an
Inception-Score-like figure computed with this classifier; 10 at most) and a Frechet distance
(FID's formula) between the classifier's 128 penultimate features of the source and of the
test images not drawn by --real (the reference; without --real, all 10,000 test images).

  /usr/bin/python3 scripts/fashion-eval/score.py [--real] [SAMPLES.f32 ...] [--names a,b,...]
        [--classifier .cache/fashion-classifier.pt] [--n 1000] [--seed 0] [--threads 1] [--json]

SAMPLES.f32: raw little-endian float32 [n, 28, 28] in [0, 1] (samples.mjs writes them).
--real: --n random images of the test split (seeded with --seed), scored first.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from classifier import DEFAULT_CACHE, load_classifier, predict_with_features  # noqa: E402
from idx import CLASSES, DEFAULT_DIR, load_split  # noqa: E402
from metrics import CLASS_SHARE, CONFIDENT, feature_stats, summarize  # noqa: E402

PER = 28 * 28


def read_samples(path):
    raw = np.fromfile(path, dtype='<f4')
    if raw.size == 0 or raw.size % PER:
        sys.exit(f'{path}: {raw.size} float32 values, not a whole number of 28x28 images')
    if not np.isfinite(raw).all():
        sys.exit(f'{path}: holds NaN or infinite values')
    if raw.min() < -1e-6 or raw.max() > 1 + 1e-6:
        print(f'warning: {path}: values span [{raw.min():.3f}, {raw.max():.3f}], expected [0, 1]', file=sys.stderr)
    return raw.reshape(-1, 28, 28)


def table(results, meta):
    names = list(results)
    rows = [
        ('samples', lambda r: str(r['n'])),
        ('mean confidence', lambda r: f"{r['mean_confidence']:.3f}"),
        (f'confidence > {CONFIDENT}', lambda r: f"{100 * r['confident_fraction']:.1f}%"),
        (f'classes with >= {100 * CLASS_SHARE:.0f}% of samples', lambda r: f"{r['classes_at_least_5pct']} / 10"),
        ('class histogram entropy (bits, max 3.32)', lambda r: f"{r['class_entropy_bits']:.2f}"),
        ('mean prediction entropy (bits, max 3.32)', lambda r: f"{r['mean_prediction_entropy_bits']:.2f}"),
        ('Inception-Score-like, exp E[KL] (max 10)', lambda r: f"{r['inception_score']:.2f}"),
        ('Frechet distance, classifier features', lambda r: f"{r['frechet_distance']:.2f}" if 'frechet_distance' in r else ''),
    ]
    rows += [(c, (lambda c: lambda r: str(r['classes'][c]))(c)) for c in CLASSES]
    rows.append(('agrees with test labels', lambda r: f"{100 * r['label_accuracy']:.1f}%" if 'label_accuracy' in r else ''))
    out = [f"classifier: test accuracy {100 * meta['test_accuracy']:.2f}% on the 10,000 test images (trained on the train split, "
           f"seed {meta.get('seed')}, {meta.get('epochs')} epochs); Frechet reference: {meta['reference_images']} test images", '',
           '| | ' + ' | '.join(names) + ' |', '|---|' + '---:|' * len(names)]
    out += ['| ' + label + ' | ' + ' | '.join(f(results[n]) for n in names) + ' |' for label, f in rows]
    return '\n'.join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('samples', nargs='*')
    ap.add_argument('--real', action='store_true')
    ap.add_argument('--names', help='comma-separated column names for the samples files')
    ap.add_argument('--classifier', default=DEFAULT_CACHE)
    ap.add_argument('--data', default=DEFAULT_DIR)
    ap.add_argument('--n', type=int, default=1000, help='test images drawn by --real')
    ap.add_argument('--seed', type=int, default=0, help='seed of the --real draw')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--json', action='store_true')
    a = ap.parse_args()
    if not a.samples and not a.real:
        ap.error('give --real and/or samples files')
    names = a.names.split(',') if a.names else a.samples
    if len(names) != len(a.samples):
        ap.error(f'--names has {len(names)} names for {len(a.samples)} files')
    if not os.path.exists(a.classifier):
        sys.exit(f'{a.classifier} not found: run scripts/fashion-eval/train_classifier.py first')

    torch.set_num_threads(a.threads)
    model, meta = load_classifier(a.classifier)
    x, y = load_split('test', a.data)
    if not 0 < a.n < len(x):
        ap.error(f'--n must be from 1 to {len(x) - 1}')
    pick = np.random.default_rng(a.seed).choice(len(x), size=a.n, replace=False) if a.real else np.array([], dtype=np.int64)
    rest = np.setdiff1d(np.arange(len(x)), pick)
    probs, feats = predict_with_features(model, x)
    reference = feature_stats(feats[rest])
    results = {}
    if a.real:
        real = summarize(probs[pick], feats[pick], reference)
        real['label_accuracy'] = float((probs[pick].argmax(1) == y[pick]).mean())
        results['real (test split)'] = real
    for name, path in zip(names, a.samples):
        results[name] = summarize(*predict_with_features(model, read_samples(path)), reference)
    if a.json:
        info = {'classifier': meta | {'path': a.classifier},
                'reference': {'split': 'test', 'images': int(len(rest)), 'real_draw_seed': a.seed if a.real else None},
                'results': results}
        print(json.dumps(info, indent=2))
    else:
        print(table(results, meta | {'reference_images': f'{len(rest):,}'}))


if __name__ == '__main__':
    main()
