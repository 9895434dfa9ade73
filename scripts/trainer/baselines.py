#!/usr/bin/env python3
"""Scores the issue's reference classifiers on exactly the folds of an emoser-train report.

Usage: baselines.py REPORT.json FEATURES.jsonl
  REPORT.json     written by `emoser-train fit` (each fold lists its "test_ids")
  FEATURES.jsonl  `emoser features <corpus>/*.wav > FEATURES.jsonl` (the runtime's 193 features)

For every fold, an RBF SVM (C=10, gamma='scale') and a logistic regression (C=1), each on standardized
features, are trained on every utterance not in that fold's test part, and their test predictions are pooled
the way the report pools Model A's. Emo-DB file names give labels and speakers. Needs numpy and scikit-learn
(Debian: apt-get install python3-sklearn).
"""
import json, os, sys
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, balanced_accuracy_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

EMODB = dict(W="angry", L="boredom", E="disgust", A="fear", F="happy", T="sad", N="neutral")


# The reference classifiers, each on standardized features.
MODELS = {
    "svm-rbf-C10": lambda: make_pipeline(StandardScaler(), SVC(C=10, gamma="scale")),
    "logistic-regression": lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)),
}


def load_features(features_path):
    """File names, feature matrix and Emo-DB labels of an `emoser features` JSON-lines file."""
    ids, rows = [], []
    for line in open(features_path):
        r = json.loads(line)
        ids.append(os.path.basename(r["file"]))
        rows.append(r["features"])
    return ids, np.array(rows, dtype=np.float64), np.array([EMODB[i[5]] for i in ids])


def main(report_path, features_path):
    report = json.load(open(report_path))
    ids, X, y = load_features(features_path)
    index = {u: k for k, u in enumerate(ids)}
    models = MODELS
    print(f"{report_path}: protocol {report['protocol']}, {len(report['folds'])} fold(s); Model A WA {report['wa']:.3f} UA {report['ua']:.3f}")
    for name, make in models.items():
        actual, predicted = [], []
        for fold in report["folds"]:
            if any(fold.get("test_copies", [])):
                sys.exit(f"{report_path}: fold {fold['name']} tests augmented copies (the seed protocol); "
                         "the reference classifiers are scored on original utterances only")
            test = np.array([index[t] for t in fold["test_ids"]])
            train = np.setdiff1d(np.arange(len(ids)), test)
            clf = make().fit(X[train], y[train])
            actual.extend(y[test])
            predicted.extend(clf.predict(X[test]))
        print(f"  {name:20s} WA {accuracy_score(actual, predicted):.3f} UA {balanced_accuracy_score(actual, predicted):.3f}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
