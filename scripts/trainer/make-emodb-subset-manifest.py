#!/usr/bin/env python3
"""Writes a CSV manifest over a subset of Emo-DB with other label names and speaker ids, to show that
emoser-train assumes nothing about Emo-DB: 4 classes (W F T N -> anger joy sadness calm), speakers 03 08 09 10 11 12
renamed talker-XX, paths relative to the manifest's folder.

Usage: make-emodb-subset-manifest.py EMODB_WAV_DIR OUT.csv
"""
import os, sys

wav_dir, out = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
labels = {'W': 'anger', 'F': 'joy', 'T': 'sadness', 'N': 'calm'}
speakers = {'03', '08', '09', '10', '11', '12'}
rows = ["path,label,speaker"]
for f in sorted(os.listdir(wav_dir)):
    if f.endswith('.wav') and f[:2] in speakers and f[5] in labels:
        rel = os.path.relpath(os.path.join(wav_dir, f), os.path.dirname(out))
        rows.append(f"{rel},{labels[f[5]]},talker-{f[:2]}")
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, 'w') as fh:
    fh.write("\n".join(rows) + "\n")
print(f"{len(rows) - 1} rows -> {out}")
