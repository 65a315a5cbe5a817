"""Sample-quality figures from a classifier's softmax outputs p(y|x) [n, 10] and its penultimate
features [n, d]."""
import numpy as np

from idx import CLASSES

CONFIDENT = 0.9     # a sample is "confident" when its max softmax exceeds this
CLASS_SHARE = 0.05  # a class "holds" the samples when at least this share is predicted as it


def feature_stats(feats):
    """(mean [d], covariance [d, d]) of features [n, d], float64."""
    feats = np.asarray(feats, dtype=np.float64)
    return feats.mean(axis=0), np.cov(feats, rowvar=False)


def _sqrtm_psd(m):
    w, v = np.linalg.eigh((m + m.T) / 2)
    return (v * np.sqrt(np.clip(w, 0, None))) @ v.T


def frechet_distance(stats_a, stats_b):
    """|mu_a - mu_b|^2 + tr(S_a + S_b - 2 (S_a S_b)^(1/2)), FID's formula. The trace of
    (S_a S_b)^(1/2) is that of (S_a^(1/2) S_b S_a^(1/2))^(1/2), a symmetric PSD matrix, so numpy's
    eigh suffices (no scipy)."""
    (mu_a, s_a), (mu_b, s_b) = stats_a, stats_b
    root_a = _sqrtm_psd(s_a)
    w = np.linalg.eigvalsh(root_a @ s_b @ root_a)
    cross = np.sqrt(np.clip(w, 0, None)).sum()
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(s_a) + np.trace(s_b) - 2 * cross)


def summarize(probs, feats=None, reference=None):
    """The figures of one source. reference: feature_stats of real images, for the Fréchet distance."""
    probs = np.asarray(probs, dtype=np.float64)
    n = len(probs)
    conf = probs.max(axis=1)
    counts = np.bincount(probs.argmax(axis=1), minlength=len(CLASSES))
    share = counts / n
    nz = share[share > 0]
    marginal = probs.mean(axis=0)
    eps = 1e-12
    kl = (probs * (np.log(probs + eps) - np.log(marginal + eps))).sum(axis=1)
    mz = marginal[marginal > 0]
    out = {
        'n': int(n),
        'mean_confidence': float(conf.mean()),
        'confident_fraction': float((conf > CONFIDENT).mean()),
        'classes': {name: int(c) for name, c in zip(CLASSES, counts)},
        'classes_at_least_5pct': int((share >= CLASS_SHARE).sum()),
        'class_entropy_bits': max(0.0, float(-(nz * np.log2(nz)).sum())),
        'mean_prediction_entropy_bits': max(0.0, float(-(mz * np.log2(mz)).sum())),
        'inception_score': float(np.exp(kl.mean())),
    }
    if feats is not None and reference is not None:
        out['frechet_distance'] = frechet_distance(feature_stats(feats), reference)
    return out
