using EmoSer.Runtime.Dsp;

namespace EmoSer.Trainer.Augmentation;

/// <summary>
/// Time stretch without pitch change, as <c>librosa.effects.time_stretch</c> (0.11) does it: centred STFT
/// (n_fft 2048, hop 512, periodic Hann, zero padding), <c>librosa.phase_vocoder</c> (magnitude interpolated between
/// neighbouring frames, phase advanced by the expected bin advance plus the wrapped deviation), then ISTFT by
/// windowed overlap-add normalised by the summed squared window, trimmed to <c>round(len / rate)</c> samples.
/// </summary>
public sealed class PhaseVocoder
{
    private readonly int _nFft, _hop, _bins;
    private readonly RealFft _fft;
    private readonly float[] _window;

    /// <summary>Creates a vocoder with librosa's defaults (n_fft 2048, hop 512).</summary>
    public PhaseVocoder(int nFft = 2048, int hop = 512)
    {
        _nFft = nFft;
        _hop = hop;
        _bins = nFft / 2 + 1;
        _fft = new RealFft(nFft);
        _window = new float[nFft];
        Windows.Hann(_window, periodic: true);
    }

    /// <summary>Returns <paramref name="y"/> played <paramref name="rate"/> times as fast (rate &gt; 1 shortens).</summary>
    public float[] Stretch(ReadOnlySpan<float> y, double rate)
    {
        if (!(rate > 0) || double.IsInfinity(rate))
            throw new ArgumentOutOfRangeException(nameof(rate), "the stretch rate must be a positive finite number");
        int pad = _nFft / 2;
        int frames = 1 + y.Length / _hop;
        var padded = new float[y.Length + 2 * pad];
        y.CopyTo(padded.AsSpan(pad));
        var re = new double[frames + 2, _bins];
        var im = new double[frames + 2, _bins];
        var frame = new float[_nFft];
        var fr = new float[_bins];
        var fi = new float[_bins];
        for (int t = 0; t < frames; t++)
        {
            var src = padded.AsSpan(t * _hop, Math.Min(_nFft, padded.Length - t * _hop));
            frame.AsSpan().Clear();
            for (int i = 0; i < src.Length; i++) frame[i] = src[i] * _window[i];
            _fft.Forward(frame, fr, fi);
            for (int k = 0; k < _bins; k++) { re[t, k] = fr[k]; im[t, k] = fi[k]; }
        }

        // librosa.phase_vocoder: time_steps = arange(0, frames, rate); the two extra zero frames are its np.pad(D, [(0, 2)]).
        int outFrames = (int)Math.Ceiling(frames / rate);
        while (outFrames > 0 && (outFrames - 1) * rate >= frames) outFrames--;
        var phaseAcc = new double[_bins];
        var advance = new double[_bins];
        for (int k = 0; k < _bins; k++)
        {
            phaseAcc[k] = Math.Atan2(im[0, k], re[0, k]);
            advance[k] = _bins == 1 ? 0 : Math.PI * _hop * k / (_bins - 1);
        }
        int total = _nFft + _hop * Math.Max(0, outFrames - 1);
        var output = new double[total];
        var norm = new double[total];
        var outRe = new float[_bins];
        var outIm = new float[_bins];
        var time = new float[_nFft];
        for (int t = 0; t < outFrames; t++)
        {
            double step = t * rate;
            int s = (int)step;
            double alpha = step - s;
            for (int k = 0; k < _bins; k++)
            {
                double m0 = Math.Sqrt(re[s, k] * re[s, k] + im[s, k] * im[s, k]);
                double m1 = Math.Sqrt(re[s + 1, k] * re[s + 1, k] + im[s + 1, k] * im[s + 1, k]);
                double mag = (1 - alpha) * m0 + alpha * m1;
                outRe[k] = (float)(mag * Math.Cos(phaseAcc[k]));
                outIm[k] = (float)(mag * Math.Sin(phaseAcc[k]));
                double dphase = Math.Atan2(im[s + 1, k], re[s + 1, k]) - Math.Atan2(im[s, k], re[s, k]) - advance[k];
                dphase -= 2 * Math.PI * Math.Round(dphase / (2 * Math.PI), MidpointRounding.ToEven);
                phaseAcc[k] += advance[k] + dphase;
            }
            // irfft ignores the imaginary parts of the DC and Nyquist bins, as numpy's does.
            outIm[0] = 0;
            outIm[_bins - 1] = 0;
            _fft.Inverse(outRe, outIm, time);
            int off = t * _hop;
            for (int i = 0; i < _nFft; i++)
            {
                output[off + i] += time[i] * _window[i];
                norm[off + i] += _window[i] * (double)_window[i];
            }
        }

        int length = (int)Math.Round(y.Length / rate, MidpointRounding.ToEven);
        var result = new float[length];
        for (int i = 0; i < length; i++)
        {
            int j = i + pad;
            if (j >= total) break;
            double n = norm[j];
            result[i] = (float)(n > 1.1754943508222875e-38 ? output[j] / n : output[j]);
        }
        return result;
    }
}
