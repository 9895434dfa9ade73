namespace EmoSer.Runtime.Features.Egemaps;

/// <summary>
/// openSMILE's cPitchSmootherViterbi as eGeMAPSv02 configures it: an incremental Viterbi over the 6 SHS
/// candidates plus an "unvoiced" state, with a 40-frame trellis. A frame's state is decided as soon as all
/// surviving paths agree on it, or forced from the current best path when it falls 40 frames behind; at the
/// end of the input the rest follows the best path. Costs reproduce openSMILE's exactly, including its
/// quirks: the smoothness weight takes the jump weight's value (10), an unvoiced-to-unvoiced step costs 1,
/// and the delta-continuity term uses the last jump evaluated in its (current state, previous state) loop
/// order rather than the jump on the path.
/// </summary>
internal sealed class PitchViterbi
{
    public const int BufferLength = 40;
    private const int NCand = SubharmonicPitch.Candidates;
    private const int NStates = NCand + 1;
    private const int FrameSize = 2 * NCand;     // [f0_0, v_0, ..., f0_5, v_5]
    private const float VoiceThresh = 0.7f;
    private const double WLocal = 2.0, WTvv = 10.0, WTvvd = 10.0, WTvuv = 10.0, WThr = 4.0, WRange = 1.0;

    private readonly float[] _buf = new float[BufferLength * FrameSize];
    private readonly int[][] _paths = [new int[NStates * BufferLength], new int[NStates * BufferLength]];
    private readonly int[] _bestPath = new int[BufferLength];
    private double[] _pathCosts = new double[NStates];
    private double[] _pathCostsNew = new double[NStates];
    private long _wrIdx, _rdIdx, _pathIdx, _convIdx = -1;
    private int _pathBuf;
    private int _prev = -1;            // buffer slot of the previous frame
    private double _lastChange = 1.0;

    public void Reset()
    {
        _wrIdx = _rdIdx = _pathIdx = 0;
        _convIdx = -1;
        _pathBuf = 0;
        _prev = -1;
        _lastChange = 1.0;
    }

    /// <summary>Number of decided frames not yet read.</summary>
    public long Available => _convIdx + 1 - _rdIdx;

    /// <summary>Adds one frame's candidates (frequencies and voicing of the 6 candidates).</summary>
    public void Add(ReadOnlySpan<float> f0, ReadOnlySpan<float> voicing)
    {
        if (_wrIdx - _rdIdx >= BufferLength)
            throw new InvalidOperationException("Viterbi buffer full: read the decided frames first.");
        int slot = (int)(_wrIdx % BufferLength);
        Span<float> b = _buf.AsSpan(slot * FrameSize, FrameSize);
        for (int c = 0; c < NCand; c++)
        {
            b[2 * c] = f0[c];
            b[2 * c + 1] = voicing[c];
        }
        _wrIdx++;
        int a = _prev;
        _prev = slot;

        int[] cur = _paths[_pathBuf];
        if (_pathIdx == 0)
        {
            _convIdx = -1;
            for (int i = 0; i < NStates; i++)
            {
                _pathCosts[i] = LocalCost(i, b);
                cur[i * BufferLength] = i;
            }
        }
        else
        {
            int newBuf = (_pathBuf + 1) % 2;
            int[] next = _paths[newBuf];
            ReadOnlySpan<float> prevFrame = _buf.AsSpan(a * FrameSize, FrameSize);
            for (int i = 0; i < NStates; i++)
            {
                int minState = 0;
                double minCost = TransitionCost(i, 0, prevFrame, b) + _pathCosts[0];
                for (int j = 1; j < NStates; j++)
                {
                    double c = TransitionCost(i, j, prevFrame, b) + _pathCosts[j];
                    if (c < minCost)
                    {
                        minState = j;
                        minCost = c;
                    }
                }
                _pathCostsNew[i] = minCost + LocalCost(i, b);
                Array.Copy(cur, minState * BufferLength, next, i * BufferLength, BufferLength);
                next[i * BufferLength + (int)(_pathIdx % BufferLength)] = i;
            }
            (_pathCosts, _pathCostsNew) = (_pathCostsNew, _pathCosts);
            _pathBuf = newBuf;
        }

        _pathIdx++;
        int[] paths = _paths[_pathBuf];
        if (_pathIdx - _convIdx > BufferLength)
        {
            int minState = BestState();
            _convIdx++;
            _bestPath[_convIdx % BufferLength] = paths[minState * BufferLength + (int)(_convIdx % BufferLength)];
        }
        else
        {
            for (long t = _convIdx + 1; t < _pathIdx; t++)
            {
                int x = paths[(int)(t % BufferLength)];
                bool match = true;
                for (int i = 1; i < NStates; i++)
                {
                    if (x != paths[i * BufferLength + (int)(t % BufferLength)])
                    {
                        match = false;
                        break;
                    }
                }
                if (!match) break;
                _convIdx++;
                _bestPath[_convIdx % BufferLength] = x;
            }
        }
    }

    /// <summary>End of input: the remaining frames follow the current best path.</summary>
    public void Flush()
    {
        if (_pathIdx == 0) return;
        int minState = BestState();
        int[] paths = _paths[_pathBuf];
        for (long t = _convIdx + 1; t < _pathIdx; t++)
        {
            _convIdx++;
            _bestPath[_convIdx % BufferLength] = paths[minState * BufferLength + (int)(_convIdx % BufferLength)];
        }
    }

    /// <summary>Reads the oldest decided frame: its F0 (0 when unvoiced) and the chosen state's voicing.</summary>
    public void Read(out float f0, out float voicing)
    {
        if (Available <= 0)
            throw new InvalidOperationException("No decided frame available.");
        int s = _bestPath[_rdIdx % BufferLength];
        ReadOnlySpan<float> b = _buf.AsSpan((int)(_rdIdx % BufferLength) * FrameSize, FrameSize);
        f0 = s < NStates - 1 ? b[2 * s] : 0f;
        voicing = s < NCand ? b[2 * s + 1] : b[1];
        _rdIdx++;
    }

    private int BestState()
    {
        int minState = 0;
        for (int i = 1; i < NStates; i++)
            if (_pathCosts[i] < _pathCosts[minState]) minState = i;
        return minState;
    }

    private static double FrequencyWeight(float f)
    {
        if (f > 0.0 && f < 100.0) return -(1.0 / 100.0) * f + 1.0;
        if (f >= 100.0 && f < 350.0) return 0.0;
        if (f >= 350.0 && f < 600.0) return (f - 350.0) / 250.0;
        if (f >= 600.0) return 1.2;
        if (f <= 0) return 2.0;
        return 0.0;
    }

    private static double LocalCost(int i, ReadOnlySpan<float> frame)
    {
        if (i < NStates - 1)
        {
            double pv = frame[i * 2 + 1];
            double thr = 0.0;
            if (pv < 0.01) pv = 0.01;
            if (pv > 1.00) pv = 1.00;
            if (pv < VoiceThresh) thr = WThr;
            return (-Math.Log(pv) + thr) * WLocal + FrequencyWeight(frame[i * 2]) * WRange;
        }
        double flag = 0.0;
        for (int j = 0; j < NStates; j++)
        {
            // openSMILE reads one slot past the candidates here (j = nStates-1), the input frame's F0raw.
            if (FrameValue(frame, j * 2 + 1) >= VoiceThresh) { flag = WThr; break; }
        }
        return WLocal * flag;
    }

    // The frame openSMILE passes holds F0raw after the candidate pairs; slot 2*NCand+1 is the voicingClip
    // flag (0 in this configuration: its lookup requires an index > 0 that the level does not provide).
    private static float FrameValue(ReadOnlySpan<float> frame, int idx) => idx < frame.Length ? frame[idx] : 0f;

    private double TransitionCost(int i, int j, ReadOnlySpan<float> prev, ReadOnlySpan<float> cur)
    {
        const int u = NStates - 1;
        if (i < u && j < u)
        {
            float f0 = prev[j * 2];
            float f1 = cur[i * 2];
            if (f0 == 0 || f1 == 0) return 999.0;
            double r = Math.Log((double)(f1 / f0));
            double x = WTvv * Math.Abs(r) + WTvvd * Math.Abs(r - _lastChange);
            _lastChange = r;
            return x;
        }
        if ((i == u && j < u) || (i < u && j == u))
        {
            _lastChange = 0.0;
            return WTvuv;
        }
        return 1.0;
    }
}
