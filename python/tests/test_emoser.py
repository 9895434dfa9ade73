"""Tests of the emoser Python package against the library and the emoser command (run: python3 -m unittest -v).

$EMOSER_CLI, when set, is the `emoser` binary the results are compared with; without it those comparisons skip.
$EMOSER_EMODB (default ../shared/data/emodb/wav beside the repository) gives the speaker-profile test its speech.
"""
import json
import os
import re
import subprocess
import tempfile
import unittest
import wave

import numpy as np

import emoser

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLE = os.path.join(ROOT, "examples", "audio", "sample.wav")
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "audio")
CLI = os.environ.get("EMOSER_CLI")
EMODB = os.environ.get("EMOSER_EMODB") or os.path.join(ROOT, "..", "shared", "data", "emodb", "wav")


def read_wav(path):
    with wave.open(path) as w:
        assert w.getsampwidth() == 2, path
        pcm = np.frombuffer(w.readframes(w.getnframes()), np.int16).reshape(-1, w.getnchannels())
        return (pcm[:, 0] if w.getnchannels() == 1 else pcm), w.getframerate()


def cli(*args, stdin=None):
    done = subprocess.run([CLI, *args], input=stdin, capture_output=True, check=True)
    return [json.loads(line) for line in done.stdout.decode().splitlines() if line]


class ModelTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.model = emoser.Model()

    def test_version_and_model(self):
        with open(os.path.join(ROOT, "include", "emoser.h"), encoding="utf-8") as h:
            self.assertIn(f'#define EMOSER_VERSION_STRING "{emoser.version()}"', h.read())
        self.assertEqual(16000, self.model.sample_rate)
        self.assertTrue(emoser.library_path().endswith("libemoser.so"))
        # The default model and the Emo-DB one are the library's embedded models, as the CLI names them.
        with emoser.Model(name="emodb") as emodb:
            self.assertEqual({"angry", "boredom", "disgust", "fear", "happy", "sad", "neutral"}, set(emodb.labels))
        with self.assertRaises(emoser.EmoserError) as e:
            emoser.Model(name="no-such-model")
        self.assertEqual(-2, e.exception.status)
        if CLI:
            self.assertEqual(cli("info", "--json", "--model", "default")[0]["labels"], self.model.labels)

    def test_the_package_calls_no_deprecated_function(self):
        # Options travel in the 0.3 params structs; the package names none of the header's deprecated 0.2 calls.
        with open(os.path.join(ROOT, "include", "emoser.h"), encoding="utf-8") as h:
            deprecated = re.findall(r'EMOSER_DEPRECATED\("[^"]*"\)\s*EMOSER_API\s+\w+\s+(\w+)\(', h.read())
        self.assertGreaterEqual(len(deprecated), 8, deprecated)
        with open(emoser.__file__, encoding="utf-8") as f:
            source = f.read()
        self.assertEqual([], [name for name in deprecated if re.search(rf"\b{name}\b", source)])

    def test_min_confidence_answers_uncertain(self):
        pcm, rate = read_wav(SAMPLE)
        with emoser.Model() as model:
            self.assertEqual(0.0, model.min_confidence)
            plain = model.classify(pcm, rate)
            model.min_confidence = 1.0  # no label of a classification can reach it unless it is certain
            if plain["confidence"] < 1.0:
                hedged = model.classify(pcm, rate)
                self.assertEqual(emoser.UNCERTAIN, hedged["emotion"])
                self.assertEqual(plain["probabilities"], hedged["probabilities"])
                self.assertEqual(plain["confidence"], hedged["confidence"])
            model.min_confidence = float(np.nextafter(np.float32(plain["confidence"]), np.float32(0)))
            self.assertEqual(plain, model.classify(pcm, rate))
            with self.assertRaises(emoser.EmoserError) as e:
                model.min_confidence = 1.5
            self.assertEqual(-2, e.exception.status)
            if CLI:
                line = cli("classify", "--json", "--min-confidence", "1", SAMPLE)[0]
                self.assertEqual(line["emotion"], emoser.UNCERTAIN if plain["confidence"] < 1.0 else plain["emotion"])

    def test_classify_numpy_equals_classify_file_and_the_cli(self):
        pcm, rate = read_wav(SAMPLE)
        from_array = self.model.classify(pcm, rate)
        from_file = self.model.classify_file(SAMPLE)
        self.assertEqual(from_file, from_array)
        self.assertEqual(set(self.model.labels), set(from_array["probabilities"]))
        self.assertAlmostEqual(1.0, sum(from_array["probabilities"].values()), places=5)
        self.assertEqual(max(from_array["probabilities"], key=from_array["probabilities"].get), from_array["emotion"])
        # float32 in [-1, 1) gives the same as int16 / 32768, float64 too.
        self.assertEqual(from_array, self.model.classify(pcm.astype(np.float32) / 32768, rate))
        self.assertEqual(from_array, self.model.classify(pcm.astype(np.float64) / 32768, rate))
        if CLI:
            line = cli("classify", "--json", SAMPLE)[0]
            self.assertEqual(line["emotion"], from_array["emotion"])
            for label, p in line["probabilities"].items():
                self.assertEqual(np.float32(p), np.float32(from_array["probabilities"][label]))

    def test_flac_and_aiff_files_classify_as_their_wav(self):
        for name in ("flac-24-stereo", "aiff-16-mono", "flac-16-stereo-lpc32"):
            encoded = next(os.path.join(FIXTURES, f) for f in sorted(os.listdir(FIXTURES)) if f.startswith(name + ".") and not f.endswith(".ref.wav"))
            self.assertEqual(self.model.classify_file(os.path.join(FIXTURES, name + ".ref.wav")), self.model.classify_file(encoded))

    def test_stereo_frames_are_averaged(self):
        pcm, rate = read_wav(SAMPLE)
        mono = pcm.astype(np.float32) / 32768
        stereo = np.stack([mono, mono], axis=1)
        self.assertEqual(self.model.classify(mono, rate), self.model.classify(stereo, rate))

    def test_errors_are_emoser_errors_with_the_librarys_message(self):
        with tempfile.TemporaryDirectory() as d:
            mp3 = os.path.join(d, "x.mp3")
            with open(mp3, "wb") as f:
                f.write(b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + bytes(64))
            with self.assertRaises(emoser.EmoserError) as e:
                self.model.classify_file(mp3)
            self.assertEqual(-6, e.exception.status)
            self.assertEqual(f"{mp3}: MP3 audio is not decoded here (WAV, AIFF and FLAC are): convert it first, e.g. 'ffmpeg -i INPUT OUTPUT.wav'", str(e.exception))
        with self.assertRaises(emoser.EmoserError) as e:
            self.model.classify(np.zeros(100, np.float32), 0)
        self.assertEqual(-2, e.exception.status)
        self.assertIn("sample_rate must be in", str(e.exception))
        with self.assertRaises(emoser.EmoserError) as e:
            self.model.classify(np.array([0.1, np.nan], np.float32), 16000)
        self.assertEqual(-2, e.exception.status)
        with self.assertRaises(ValueError):
            self.model.classify(np.zeros((2, 2, 2), np.float32), 16000)
        with self.assertRaises(emoser.EmoserError) as e:
            emoser.Model("/nonexistent/model.emow")
        self.assertEqual(-5, e.exception.status)

    def test_input_limits_of_the_runtime(self):
        # A huge float sample would overflow the features to NaN probabilities: refused, not classified.
        loud = np.zeros(16000, np.float32)
        loud[100] = 1e20
        with self.assertRaises(emoser.EmoserError) as e:
            self.model.classify(loud, 16000)
        self.assertEqual(-2, e.exception.status)
        self.assertIn("samples[100] is 1E+20; samples must be finite and within ±65536", str(e.exception))
        with self.assertRaises(emoser.EmoserError) as e:
            self.model.classify(np.zeros(16000, np.float32), 16)
        self.assertEqual(-2, e.exception.status)
        with emoser.Model() as model:
            self.assertEqual(600.0, model.max_duration)
            model.max_duration = 0.5
            self.assertEqual(0.5, model.max_duration)
            with self.assertRaises(emoser.EmoserError) as e:
                model.classify(np.zeros(16000, np.float32), 16000)
            self.assertEqual(-2, e.exception.status)
            self.assertIn("longer than the model handle's maximum duration of 0.5 s", str(e.exception))
            with self.assertRaises(emoser.EmoserError) as e:
                model.classify_file(SAMPLE)
            self.assertEqual(-2, e.exception.status)
            with self.assertRaises(emoser.EmoserError):
                model.max_duration = 0
            self.assertEqual(0.5, model.max_duration)

    def test_speed_copies_switch(self):
        pcm, rate = read_wav(SAMPLE)
        with emoser.Model() as single:
            factors = single.speed_factors
            self.assertTrue(factors)  # the default model has test-time speed copies
            if CLI:
                info = cli("info", "--json")[0]
                self.assertEqual([np.float32(f) for f in info["test_time_speed_factors"]], [np.float32(f) for f in factors])
            single.set_speed_copies(False)
            self.assertEqual([], single.speed_factors)
            once = single.classify(pcm, rate)
        self.assertNotEqual(once, self.model.classify(pcm, rate))
        if CLI:
            line = cli("classify", "--json", "--single-pass", SAMPLE)[0]
            self.assertEqual(np.float32(line["confidence"]), np.float32(once["confidence"]))

    def test_speaker_profile(self):
        files = sorted(f for f in os.listdir(EMODB) if f.startswith("03")) if os.path.isdir(EMODB) else []
        if not files:
            self.skipTest(f"SKIPPED: Emo-DB not found at {EMODB} (set EMOSER_EMODB)")
        profile = self.model.profile()
        for f in files[:6]:
            self.assertTrue(profile.add(*read_wav(os.path.join(EMODB, f))))
        self.assertFalse(profile.add(np.zeros(16000, np.float32), 16000))  # silence is not added
        self.assertEqual(6, profile.count)
        target = read_wav(os.path.join(EMODB, files[7]))
        with_profile = self.model.classify(*target, profile=profile)
        self.assertNotEqual(self.model.classify(*target), with_profile)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "speaker-03.json")
            profile.save(path)
            self.assertEqual(with_profile, self.model.classify(*target, profile=self.model.load_profile(path)))
            if CLI:
                line = cli("classify", "--json", "--speaker", path, os.path.join(EMODB, files[7]))[0]
                self.assertEqual(line["emotion"], with_profile["emotion"])
                self.assertEqual(np.float32(line["confidence"]), np.float32(with_profile["confidence"]))

    def test_stream_gives_the_lines_of_emoser_stream(self):
        pcm, rate = read_wav(SAMPLE)
        with self.model.stream(rate=rate, window=2, hop=0.5) as live:
            results = list(live.results(pcm[i:i + 3000] for i in range(0, len(pcm), 3000)))
        self.assertGreaterEqual(len(results), 4)
        # One result per hop; the last one, at the end of the input, may follow sooner.
        for a, b in zip(results[:-1], results[1:-1]):
            self.assertAlmostEqual(0.5, b["end"] - a["end"], delta=0.04)
        self.assertTrue(any(not r["silence"] and r["emotion"] in self.model.labels for r in results))
        if CLI:
            lines = cli("stream", "--window", "2", "--hop", "0.5", SAMPLE)
            self.assertEqual(len(lines), len(results))
            for line, result in zip(lines, results):
                self.assertEqual((line["start"], line["end"], line["silence"], line["emotion"]),
                                 (result["start"], result["end"], result["silence"], result["emotion"]))
                if not line["silence"]:
                    self.assertEqual(np.float32(line["confidence"]), np.float32(result["confidence"]))


if __name__ == "__main__":
    unittest.main()
