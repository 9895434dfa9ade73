#!/usr/bin/env python3
"""Scores the reference classifiers on exactly the folds and features of an emoser-train report, per corpus.

Usage: loco-baselines.py REPORT.json FEATURES.jsonl [OUT.json]
  REPORT.json     written by `emoser-train fit` (loco, or loso/holdout over one or more corpora): each fold lists
                  its test utterances ("rows"/"test_ids") and, for loco, the labels it trains and tests on
  FEATURES.jsonl  written by the same run with --dump-features: every utterance's id, corpus, speaker, label and
                  features exactly as the model saw them (front end included)
  OUT.json        optional: the printed figures as JSON, {"report", "by_corpus": {corpus: {classifier: {condition:
                  {"wa", "ua", "n", "four_class": {"wa", "ua"}}}}}}, the model's own under "model-a"

For every fold, an RBF SVM (C=10, gamma='scale') and a logistic regression (C=1) are trained on every utterance of
the fold's training part (for loco: the other corpora, over the fold's labels) and scored on its test part, both ways
the model is scored:
  with profile  each utterance standardized with its speaker's statistics (docs/speaker-normalization.md: shrunk
                towards the training speakers' population statistics by the report's speaker prior weight), the test
                speakers' from all their own utterances without labels, as the trainer and `emoser classify
                --same-speaker` do
  lone file     training utterances as above, each test utterance with the population statistics
then a global standardization fitted on the training part. Figures are printed per corpus (WA / UA over the labels
it was tested on, and over the four-class subset angry/happy/neutral/sad, each prediction then the best of the four),
with the model's own figures from the report beside them. Needs numpy and scikit-learn (Debian: python3-sklearn).
"""
import json, sys
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, balanced_accuracy_score
from sklearn.svm import SVC

FOUR = ["angry", "happy", "neutral", "sad"]

MODELS = {
    "svm-rbf-C10": lambda: SVC(C=10, gamma="scale", class_weight="balanced"),
    "logistic-regression": lambda: LogisticRegression(max_iter=5000, class_weight="balanced"),
}


def load_features(path):
    rows = [json.loads(line) for line in open(path)]
    ids = [r["id"] for r in rows]
    return (ids, np.array([r["features"] for r in rows], dtype=np.float64), np.array([r["label"] for r in rows]),
            np.array([r["speaker"] if r["speaker"] is not None else "" for r in rows]), np.array([r["corpus"] for r in rows]))


class SpeakerStandardizer:
    """
    The trainer's speaker standardization: population statistics of the training speakers, profiles shrunk towards
    them. A training speaker's statistics come from all of its utterances outside the fold's test part (as the trainer
    takes them from its training utterances and those left out only for their label); a test speaker's, never seen in
    training, from all of its utterances, without labels.
    """

    def __init__(self, X, speakers, train, test, prior):
        self.prior = prior
        trained = set(speakers[train])
        in_test = np.zeros(len(speakers), dtype=bool)
        in_test[test] = True
        self.profiles = {}
        for s in np.unique(speakers):
            rows = speakers == s
            if s in trained:
                rows &= ~in_test
            self.profiles[s] = self._stats(X[rows])
        population = [self.profiles[s] for s in trained]
        self.mu = np.mean([m for m, _, _ in population], axis=0)
        var = [m2 / n for m, m2, n in population if n >= 2]
        self.sigma = np.maximum(np.sqrt(np.mean(var, axis=0)), 1e-6 * (np.abs(self.mu) + 1))

    @staticmethod
    def _stats(X):
        m = X.mean(axis=0)
        return m, ((X - m) ** 2).sum(axis=0), len(X)

    def apply(self, X, speakers, profile=True):
        Z = np.empty_like(X)
        for s in np.unique(speakers):
            rows = speakers == s
            if profile and s in self.profiles:
                xbar, m2, n = self.profiles[s]
                k = self.prior
                m = (n * xbar + k * self.mu) / (n + k)
                var = (m2 + n * (xbar - m) ** 2 + k * self.sigma ** 2) / (n + k)
                Z[rows] = (X[rows] - m) / np.sqrt(var)
            else:
                Z[rows] = (X[rows] - self.mu) / self.sigma
        return Z


def scores(y, p):
    return accuracy_score(y, p), balanced_accuracy_score(y, p)


def restrict(labels_order, decision, subset):
    cols = [labels_order.index(l) for l in subset]
    return np.array(subset)[np.argmax(decision[:, cols], axis=1)]


def main(report_path, features_path, out_path=None):
    report = json.load(open(report_path))
    ids, X, y, spk, corpus = load_features(features_path)
    index = {u: k for k, u in enumerate(ids)}
    by_speaker = report["recipe"].get("speaker_normalization", False) and all(spk != "")
    prior = report["recipe"].get("speaker_prior_weight", 4)
    print(f"{report_path}: protocol {report['protocol']}, {len(report['folds'])} fold(s), features {report['features'].get('front_end', 'none')}; "
          f"speaker profiles {'on' if by_speaker else 'off'}")
    results = {}  # (model, condition, corpus) -> [actual, predicted, predicted4, actual4]
    for fold in report["folds"]:
        if any(fold.get("test_copies", [])):
            sys.exit(f"{report_path}: fold {fold['name']} tests augmented copies (the seed protocol)")
        test = np.array([index[t] for t in fold["test_ids"]])
        labels = fold.get("labels") or sorted(set(y))
        train = np.setdiff1d(np.arange(len(ids)), test)
        train = train[np.isin(y[train], labels)]
        for cond in ("with_speaker_profile", "without_speaker_profile") if by_speaker else ("no_speaker_normalization",):
            if by_speaker:
                st = SpeakerStandardizer(X, spk, train, test, prior)
                A = st.apply(X[train], spk[train])
                B = st.apply(X[test], spk[test], profile=cond == "with_speaker_profile")
            else:
                A, B = X[train], X[test]
            mu, sd = A.mean(axis=0), A.std(axis=0)
            sd[sd == 0] = 1
            A, B = (A - mu) / sd, (B - mu) / sd
            for name, make in MODELS.items():
                clf = make().fit(A, y[train])
                p = clf.predict(B)
                order = list(clf.classes_)
                dec = clf.predict_proba(B) if hasattr(clf, "predict_proba") and name.startswith("logistic") else clf.decision_function(B)
                four = [l for l in FOUR if l in labels]
                for c in np.unique(corpus[test]):
                    rows = corpus[test] == c
                    r = results.setdefault((name, cond, c), [[], [], [], []])
                    r[0].extend(y[test][rows]); r[1].extend(p[rows])
                    sel = rows & np.isin(y[test], four)
                    if len(four) >= 2 and sel.any():
                        r[3].extend(y[test][sel]); r[2].extend(restrict(order, dec[sel], four))
    model = {c["corpus"]: c for c in report.get("by_corpus", [])}
    out = {"report": report_path, "features": features_path, "by_corpus": {}}
    for c in sorted({k[2] for k in results}):
        print(f"\ncorpus {c}")
        figures = out["by_corpus"].setdefault(c, {})
        if c in model:
            m = model[c]
            for cond in ("with_speaker_profile", "without_speaker_profile"):
                if cond in m:
                    four = m.get("four_class", {}).get(cond)
                    figures.setdefault("model-a", {})[cond] = {"wa": m[cond]["wa"], "ua": m[cond]["ua"], "four_class": four}
                    print(f"  {'model-a':20s} {cond:24s} WA {m[cond]['wa']:.3f} UA {m[cond]['ua']:.3f}" +
                          (f" | 4-class WA {four['wa']:.3f} UA {four['ua']:.3f}" if four else ""))
        for (name, cond, cc), (a, p, p4, a4) in sorted(results.items()):
            if cc != c:
                continue
            wa, ua = scores(a, p)
            entry = figures.setdefault(name, {})[cond] = {"wa": wa, "ua": ua, "n": len(a)}
            line = f"  {name:20s} {cond:24s} WA {wa:.3f} UA {ua:.3f}"
            if a4:
                wa4, ua4 = scores(a4, p4)
                entry["four_class"] = {"wa": wa4, "ua": ua4}
                line += f" | 4-class WA {wa4:.3f} UA {ua4:.3f}"
            print(line + f"  (n={len(a)})")
    if out_path:
        with open(out_path, "w") as f:
            json.dump(out, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    main(*sys.argv[1:])
