#!/usr/bin/env python3
"""The chroma filter bank of librosa 0.11 (librosa.filters.chroma with ctroct=5, octwidth=2, norm=2, base_c=True and
a tuning offset), computed with numpy the way librosa computes it: whole-matrix operations, np.remainder, and
librosa.util.normalize's rule for columns of zero length. An independent reference for the runtime's
ChromaFilterBank (tests/EmoSer.Runtime.Tests/Features/ChromaFilterBankBuildTests.cs): it needs numpy only, not
librosa, so the tests can run it wherever python3-numpy is installed.

    chroma_filterbank.py OUT_DIR SR:N_FFT:N_CHROMA:TUNING...

writes, for each configuration, OUT_DIR/SR_N_FFT_N_CHROMA_TUNING.f32: the n_chroma x (1 + n_fft // 2) matrix,
row-major, as little-endian float32 (librosa returns the filter bank as float32).
"""
import os
import sys

import numpy as np


def chroma(sr, n_fft, n_chroma, tuning, ctroct=5.0, octwidth=2.0):
    frequencies = np.linspace(0, sr, n_fft, endpoint=False)[1:]
    # hz_to_octs(frequencies, tuning=tuning, bins_per_octave=n_chroma)
    a440 = 440.0 * 2.0 ** (tuning / n_chroma)
    frqbins = n_chroma * np.log2(frequencies / (a440 / 16))
    # a made-up value for the 0 Hz bin: 1.5 octaves below bin 1
    frqbins = np.concatenate(([frqbins[0] - 1.5 * n_chroma], frqbins))
    binwidthbins = np.concatenate((np.maximum(frqbins[1:] - frqbins[:-1], 1.0), [1]))
    d = np.subtract.outer(frqbins, np.arange(0, n_chroma, dtype="d")).T
    n_chroma2 = np.round(float(n_chroma) / 2)
    d = np.remainder(d + n_chroma2 + 10 * n_chroma, n_chroma) - n_chroma2
    wts = np.exp(-0.5 * (2 * d / np.tile(binwidthbins, (n_chroma, 1))) ** 2)
    # util.normalize(wts, norm=2, axis=0): columns shorter than the smallest normal double are left as they are
    length = np.sum(np.abs(wts) ** 2, axis=0, keepdims=True) ** (1.0 / 2)
    length[length < np.finfo(wts.dtype).tiny] = 1.0
    wts = wts / length
    wts *= np.tile(np.exp(-0.5 * (((frqbins / n_chroma - ctroct) / octwidth) ** 2)), (n_chroma, 1))
    wts = np.roll(wts, -3 * (n_chroma // 12), axis=0)
    return np.ascontiguousarray(wts[:, : int(1 + n_fft / 2)])


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out_dir = sys.argv[1]
    for config in sys.argv[2:]:
        sr, n_fft, n_chroma, tuning = config.split(":")
        matrix = chroma(int(sr), int(n_fft), int(n_chroma), float(tuning))
        matrix.astype("<f4").tofile(os.path.join(out_dir, f"{sr}_{n_fft}_{n_chroma}_{tuning}.f32"))


if __name__ == "__main__":
    main()
