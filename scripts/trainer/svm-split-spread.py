#!/usr/bin/env python3
"""How much one stratified 80/20 holdout split moves the issue's reference classifiers on Emo-DB.

Usage: svm-split-spread.py FEATURES.jsonl [SPLITS]
  FEATURES.jsonl  `emoser features <corpus>/*.wav > FEATURES.jsonl` (the runtime's 193 features; Emo-DB file names)
  SPLITS          how many splits, scikit-learn's train_test_split(stratify=y, test_size=0.2, random_state=0..SPLITS-1)
                  (default 100)

For the RBF SVM (C=10, gamma='scale') and logistic regression (C=1), each on standardized features as in
baselines.py, prints the mean, standard deviation, range and 5th/50th/95th percentiles of WA and UA over the splits,
and on how many splits both reach 0.85. Needs numpy and scikit-learn (Debian: apt-get install python3-sklearn).
"""
import os, sys
import numpy as np
from sklearn.metrics import accuracy_score, balanced_accuracy_score
from sklearn.model_selection import train_test_split

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from baselines import MODELS, load_features  # noqa: E402  (the same classifiers and feature reader)


def main(features_path, splits):
    ids, X, y = load_features(features_path)
    models = MODELS
    print(f"{features_path}: {len(ids)} utterances, {splits} stratified 80/20 splits (random_state 0..{splits - 1})")
    for name, make in models.items():
        scores = []
        for rs in range(splits):
            train, test = train_test_split(np.arange(len(ids)), test_size=0.2, stratify=y, random_state=rs)
            p = make().fit(X[train], y[train]).predict(X[test])
            scores.append((accuracy_score(y[test], p), balanced_accuracy_score(y[test], p)))
        s = np.array(scores)
        for k, metric in enumerate(["WA", "UA"]):
            q = np.percentile(s[:, k], [5, 50, 95])
            print(f"  {name:20s} {metric} mean {s[:, k].mean():.3f} sd {s[:, k].std(ddof=1):.3f} range {s[:, k].min():.3f}-{s[:, k].max():.3f}"
                  f" p5/p50/p95 {q[0]:.3f}/{q[1]:.3f}/{q[2]:.3f}")
        print(f"  {name:20s} WA and UA both >= 0.85 on {int(((s[:, 0] >= 0.85) & (s[:, 1] >= 0.85)).sum())} of {splits} splits")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) == 3 else 100)
