#!/usr/bin/env python3
"""Writes N minutes of generated 16 kHz mono s16le PCM to stdout for `emoser stream --raw --rate 16000`.

The signal is a 10 s period built once and repeated: 4 s of vowel-like harmonic tones with a moving pitch and a
syllable-rate envelope, 2 s of noise at about -30 dBFS, 1 s of near-silence (-70 dBFS), 3 s of digital silence,
so the stream sees speech-like windows, noise and (with the default 3 s window) one silent window per period. Pure Python (no numpy), fast because the period is reused.

Checkpoints (--checkpoint-minutes 1,60 --pid-file F): after writing that many minutes of audio, wait until the
consumer (pid read from F) has read every byte written so far (its /proc/<pid>/io rchar), then print its VmHWM and
VmRSS to stderr, so the figure is "peak RSS after that much audio was consumed", independent of speed.
"""
import argparse, math, os, random, struct, sys, time

RATE = 16000


def period():
    rng = random.Random(1234)
    s = []
    for i in range(4 * RATE):  # voiced: 3 harmonics of a gliding f0, 4 Hz syllable envelope
        t = i / RATE
        f0 = 140 + 40 * math.sin(2 * math.pi * 0.3 * t)
        env = 0.5 * (1 - math.cos(2 * math.pi * 4 * t))
        ph = 2 * math.pi * f0 * t
        v = env * (0.5 * math.sin(ph) + 0.25 * math.sin(2 * ph) + 0.12 * math.sin(3 * ph))
        s.append(v * 0.6 + rng.uniform(-0.01, 0.01))
    s += [rng.uniform(-0.055, 0.055) for _ in range(2 * RATE)]  # ~ -30 dBFS RMS
    s += [rng.uniform(-0.0005, 0.0005) for _ in range(RATE)]  # ~ -70 dBFS
    s += [0.0] * (3 * RATE)
    return struct.pack('<%dh' % len(s), *(max(-32768, min(32767, round(x * 32767))) for x in s))


def rchar(pid):
    with open(f'/proc/{pid}/io') as f:
        for line in f:
            if line.startswith('rchar:'):
                return int(line.split()[1])
    return 0


def status(pid, key):
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            if line.startswith(key + ':'):
                return line.split(':', 1)[1].strip()
    return '?'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--minutes', type=float, default=60)
    ap.add_argument('--checkpoint-minutes', default='')
    ap.add_argument('--pid-file', default='')
    a = ap.parse_args()
    block = period()  # 10 s = 320 000 bytes
    total = int(a.minutes * 60 * RATE) * 2
    checkpoints = sorted(int(float(m) * 60 * RATE) * 2 for m in a.checkpoint_minutes.split(',') if m)
    out = sys.stdout.buffer
    pid = None
    written = 0
    while written < total:
        chunk = block[: min(len(block), total - written)]
        nxt = checkpoints[0] if checkpoints else None
        if nxt is not None and written + len(chunk) >= nxt:
            chunk = chunk[: nxt - written]
        out.write(chunk)
        written += len(chunk)
        if nxt is not None and written == nxt:
            out.flush()
            checkpoints.pop(0)
            if pid is None and a.pid_file:
                while not (os.path.exists(a.pid_file) and open(a.pid_file).read().strip()):
                    time.sleep(0.01)
                pid = int(open(a.pid_file).read())
            if pid is not None:
                # rchar also counts the few bytes the runtime reads at startup: wait for >= written.
                while rchar(pid) < written:
                    time.sleep(0.02)
                time.sleep(0.2)  # let the last window's work finish
                print(f'checkpoint {written / 2 / RATE / 60:g} min of audio consumed: '
                      f'VmHWM {status(pid, "VmHWM")}, VmRSS {status(pid, "VmRSS")} '
                      f'(anon {status(pid, "RssAnon")}, file {status(pid, "RssFile")})', file=sys.stderr, flush=True)
    out.flush()


if __name__ == '__main__':
    main()
