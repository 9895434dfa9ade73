#!/usr/bin/env python3
"""Summarizes repeated holdout splits: Model A against the reference classifiers, paired split by split.

Usage: holdout-summary.py BASELINES.txt [BASELINES.txt ...]
  BASELINES.txt  what scripts/trainer/holdout-repeats.sh prints (baselines.py's output for each split's report);
                 each report must still sit where the printed path says, or beside the text file under its own name
                 or as report-<protocol>-rsN.json.

Prints the mean WA / UA of Model A (with and without its test-time copies), the RBF SVM and logistic regression over
all splits, and for each reference the paired difference in WA: splits where Model A is ahead, the mean, the standard
deviation and the t statistic of the mean (mean / (sd / sqrt(n))). No third-party packages needed.
"""
import json, math, os, re, sys

HEADER = re.compile(r"^(?P<path>\S+): protocol (?P<protocol>\S+), .*Model A WA (?P<wa>[\d.]+) UA (?P<ua>[\d.]+)")
LINE = re.compile(r"^\s+(?P<name>\S+)\s+WA (?P<wa>[\d.]+) UA (?P<ua>[\d.]+)")


def read(paths):
    splits = []
    for path in paths:
        current = None
        for text in open(path):
            if m := HEADER.match(text):
                report = m["path"]
                if not os.path.exists(report):
                    # Committed copies sit beside the text as report-<protocol>-rsN.json (from OUT/rsN/report.json).
                    here, split = os.path.dirname(path), os.path.basename(os.path.dirname(report))
                    candidates = [os.path.join(here, os.path.basename(report)), os.path.join(here, f"report-{m['protocol']}-{split}.json")]
                    report = next((c for c in candidates if os.path.exists(c)), None)
                    if report is None:
                        sys.exit(f"{path}: report {m['path']} not found (also looked for {', '.join(candidates)})")
                r = json.load(open(report))
                single = r.get("pooled_single_pass")
                current = {"model-a": (r["wa"], r["ua"]), "report": report}
                if single:
                    current["model-a-single-pass"] = (single["wa"], single["ua"])
                splits.append(current)
            elif (m := LINE.match(text)) and current is not None:
                current[m["name"]] = (float(m["wa"]), float(m["ua"]))
    return splits


def mean(xs):
    return sum(xs) / len(xs)


def main(paths):
    splits = read(paths)
    if not splits:
        sys.exit("no splits found")
    n = len(splits)
    names = [k for k in splits[0] if k != "report"]
    print(f"{n} splits")
    for name in names:
        rows = [s[name] for s in splits if name in s]
        print(f"  {name:22s} mean WA {mean([r[0] for r in rows]):.3f} UA {mean([r[1] for r in rows]):.3f} (n={len(rows)})")
    for ref in [k for k in names if not k.startswith("model-a")]:
        d = [s["model-a"][0] - s[ref][0] for s in splits if ref in s]
        du = [s["model-a"][1] - s[ref][1] for s in splits if ref in s]
        sd = math.sqrt(sum((x - mean(d)) ** 2 for x in d) / (len(d) - 1)) if len(d) > 1 else float("nan")
        t = mean(d) / (sd / math.sqrt(len(d))) if sd > 0 else float("nan")
        ahead = sum(x > 1e-9 for x in d)
        behind = sum(x < -1e-9 for x in d)
        print(f"  Model A minus {ref}: WA ahead on {ahead}, behind on {behind} of {len(d)}; mean {mean(d):+.4f} sd {sd:.4f} t {t:.2f}; UA mean {mean(du):+.4f}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
