"""EmoSer: speech emotion recognition over libemoser.so (the C API of include/emoser.h), through ctypes.

    >>> import emoser, numpy as np
    >>> model = emoser.Model()                       # the model built into the library
    >>> model.classify(np.zeros(16000, np.float32) + 0.01, 16000)["emotion"]
    >>> model.classify_file("speech.flac")            # WAV, AIFF or FLAC
    >>> profile = model.profile(); profile.add(samples, rate)   # a speaker profile
    >>> with model.stream(rate=16000, window=3, hop=1) as s:    # live audio, one result per hop
    ...     for result in s.push(chunk): print(result)

Samples are numpy arrays (or anything numpy.asarray takes): float (nominally in [-1, 1]) or int16 PCM, shape (n,)
for mono or (n, channels) interleaved frames, at any sample rate (resampled by the library). Every failure of the
library raises EmoserError with its one-line message. Spec: python/README.md.
"""

import ctypes
import ctypes.util
import os
from typing import Dict, Iterable, List, Optional

import numpy as np

__all__ = ["Model", "Profile", "Stream", "EmoserError", "UNCERTAIN", "version", "library_path"]

_OK, _NO_RESULT, _INVALID_ARGUMENT = 0, 1, -2
_LABEL_UNCERTAIN = -2  # EMOSER_LABEL_UNCERTAIN

#: The emotion classify answers when the most probable label is below Model.min_confidence.
UNCERTAIN = "uncertain"


class EmoserError(Exception):
    """A call into libemoser failed: `status` is the emoser_status code, the message the library's one line."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class _ClassifyParams(ctypes.Structure):
    # emoser_classify_params (include/emoser.h)
    _fields_ = [("speed_copies", ctypes.c_int32), ("min_confidence", ctypes.c_float), ("profile", ctypes.c_void_p)]


class _StreamParams(ctypes.Structure):
    # emoser_stream_params (include/emoser.h)
    _fields_ = [("window_s", ctypes.c_double), ("hop_s", ctypes.c_double), ("silence_dbfs", ctypes.c_double),
                ("sample_rate", ctypes.c_int32), ("speaker_mode", ctypes.c_int32), ("profile", ctypes.c_void_p)]


class _StreamResult(ctypes.Structure):
    _fields_ = [("start_s", ctypes.c_double), ("end_s", ctypes.c_double), ("silence", ctypes.c_int32),
                ("label_index", ctypes.c_int32), ("confidence", ctypes.c_float), ("label_count", ctypes.c_int32)]


def _find_library() -> str:
    """The library beside this file (a wheel bundles it), else $EMOSER_LIBRARY, else libemoser.so on the loader's path."""
    bundled = os.path.join(os.path.dirname(os.path.abspath(__file__)), "libemoser.so")
    if os.path.exists(bundled):
        return bundled
    configured = os.environ.get("EMOSER_LIBRARY")
    if configured:
        return configured
    found = ctypes.util.find_library("emoser")
    if found:
        return found
    raise OSError("libemoser.so not found: install the emoser wheel, or set EMOSER_LIBRARY to the library's path")


def _load():
    lib = ctypes.CDLL(_find_library())
    p, i32, i64, f32p, i32p = ctypes.c_void_p, ctypes.c_int32, ctypes.c_int64, ctypes.POINTER(ctypes.c_float), ctypes.POINTER(ctypes.c_int32)
    pp = ctypes.POINTER(ctypes.c_void_p)
    cp = ctypes.POINTER(_ClassifyParams)
    # The 0.3 calls only: options travel in params structs, none is kept on the model handle.
    signatures = {
        "emoser_version": ([], ctypes.c_char_p),
        "emoser_last_error": ([], ctypes.c_char_p),
        "emoser_model_load_default": ([pp], i32),
        "emoser_model_load_named": ([ctypes.c_char_p, pp], i32),
        "emoser_model_load_file": ([ctypes.c_char_p, pp], i32),
        "emoser_model_free": ([p], i32),
        "emoser_model_labels": ([p, ctypes.POINTER(ctypes.c_char_p), i32, i32p], i32),
        "emoser_model_sample_rate": ([p, i32p], i32),
        "emoser_model_set_max_duration": ([p, ctypes.c_double], i32),
        "emoser_model_max_duration": ([p, ctypes.POINTER(ctypes.c_double)], i32),
        "emoser_model_speed_factors": ([p, f32p, i32, i32p], i32),
        "emoser_classify_default_params": ([], _ClassifyParams),
        "emoser_classify_pcm_f32": ([p, f32p, i64, i32, i32, cp, f32p, i32, i32p], i32),
        "emoser_classify_audio_file": ([p, ctypes.c_char_p, cp, f32p, i32, i32p], i32),
        "emoser_profile_new": ([p, pp], i32),
        "emoser_profile_add_f32": ([p, f32p, i64, i32, i32, i32p], i32),
        "emoser_profile_count": ([p, ctypes.POINTER(ctypes.c_int64)], i32),
        "emoser_profile_free": ([p], i32),
        "emoser_profile_save": ([p, ctypes.c_char_p], i32),
        "emoser_profile_load": ([p, ctypes.c_char_p, pp], i32),
        "emoser_stream_default_params": ([], _StreamParams),
        "emoser_stream_open": ([p, ctypes.POINTER(_StreamParams), pp], i32),
        "emoser_stream_push_f32": ([p, f32p, i64], i32),
        "emoser_stream_complete": ([p], i32),
        "emoser_stream_next": ([p, ctypes.POINTER(_StreamResult), f32p, i32], i32),
        "emoser_stream_free": ([p], i32),
    }
    for name, (args, result) in signatures.items():
        function = getattr(lib, name)
        function.argtypes = args
        function.restype = result
    return lib


_lib = None


def _library():
    global _lib
    if _lib is None:
        _lib = _load()
    return _lib


def _check(status: int) -> int:
    if status < 0:
        raise EmoserError(status, _library().emoser_last_error().decode("utf-8", "replace"))
    return status


def version() -> str:
    """The library's version, e.g. "0.3.0"."""
    return _library().emoser_version().decode()


def library_path() -> str:
    """The path of the libemoser.so this package loads."""
    return _find_library()


def _frames(samples, rate: int):
    """(float32 C-contiguous interleaved array, frames, channels) of mono (n,) or interleaved (n, channels) audio."""
    array = np.asarray(samples)
    if array.ndim not in (1, 2) or array.size == 0:
        raise ValueError(f"samples must be a non-empty array of shape (n,) or (n, channels), not {array.shape}")
    if array.dtype == np.int16:
        array = array.astype(np.float32) / np.float32(32768)
    elif array.dtype.kind == "f":
        array = array.astype(np.float32, copy=False)
    else:
        raise TypeError(f"samples must be float or int16, not {array.dtype}")
    array = np.ascontiguousarray(array)
    channels = 1 if array.ndim == 1 else array.shape[1]
    if int(rate) != rate:
        raise ValueError(f"rate must be a whole number of Hz, not {rate}")
    return array, array.shape[0], channels


def _pointer(array):
    return array.ctypes.data_as(ctypes.POINTER(ctypes.c_float))


class _Handle:
    """A library handle freed by close(), at the end of a with block, or when garbage-collected."""

    _handle = None

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


class Model(_Handle):
    """A loaded model: one embedded in the library ("default", the multi-corpus model, or "emodb", the Emo-DB
    Model A) or a weights file (.emow). Safe to use from many threads."""

    def __init__(self, path: Optional[str] = None, name: Optional[str] = None):
        if path is not None and name is not None:
            raise ValueError("give a weights file path or an embedded model name, not both")
        lib = _library()
        handle = ctypes.c_void_p()
        if path is not None:
            _check(lib.emoser_model_load_file(os.fsencode(path), ctypes.byref(handle)))
        elif name is not None:
            _check(lib.emoser_model_load_named(name.encode(), ctypes.byref(handle)))
        else:
            _check(lib.emoser_model_load_default(ctypes.byref(handle)))
        self._handle = handle
        count = ctypes.c_int32()
        _check(lib.emoser_model_labels(handle, None, 0, ctypes.byref(count)))
        names = (ctypes.c_char_p * count.value)()
        _check(lib.emoser_model_labels(handle, names, count.value, ctypes.byref(count)))
        self.labels: List[str] = [n.decode() for n in names]
        rate = ctypes.c_int32()
        _check(lib.emoser_model_sample_rate(handle, ctypes.byref(rate)))
        self.sample_rate: int = rate.value
        # This object's classify options, passed to every call (the library keeps none on the handle).
        self._params = lib.emoser_classify_default_params()

    def close(self) -> None:
        """Frees the model (streams and profiles made from it keep working)."""
        if self._handle:
            _check(_library().emoser_model_free(self._handle))
            self._handle = None

    @property
    def speed_factors(self) -> List[float]:
        """The test-time speed factors classify averages over (empty: a single pass)."""
        if not self._params.speed_copies:
            return []
        lib, count = _library(), ctypes.c_int32()
        _check(lib.emoser_model_speed_factors(self._handle, None, 0, ctypes.byref(count)))
        factors = (ctypes.c_float * max(count.value, 1))()
        _check(lib.emoser_model_speed_factors(self._handle, factors, count.value, ctypes.byref(count)))
        return [float(f) for f in factors[:count.value]]

    def set_speed_copies(self, enabled: bool) -> None:
        """Switches the model's test-time speed copies off (a single pass, about 3x faster) or back on."""
        self._params.speed_copies = 1 if enabled else 0

    @property
    def max_duration(self) -> float:
        """Longest audio, in seconds, classify, classify_file and Profile.add take (600 by default): longer input
        raises EmoserError before any work is done. Streams take any length."""
        seconds = ctypes.c_double()
        _check(_library().emoser_model_max_duration(self._handle, ctypes.byref(seconds)))
        return seconds.value

    @max_duration.setter
    def max_duration(self, seconds: float) -> None:
        _check(_library().emoser_model_set_max_duration(self._handle, float(seconds)))

    @property
    def min_confidence(self) -> float:
        """Below this probability of the most probable label, classify answers "uncertain" (0: never)."""
        return float(self._params.min_confidence)

    @min_confidence.setter
    def min_confidence(self, value: float) -> None:
        # Checked here, at once, with the library's rule and status (it would otherwise fail the next classify).
        if not 0.0 <= float(value) <= 1.0:
            raise EmoserError(_INVALID_ARGUMENT, f"min_confidence must be a number in [0, 1], got {float(value)!r}")
        self._params.min_confidence = float(value)

    def _result(self, probabilities, top: int) -> Dict:
        # The library's EMOSER_LABEL_UNCERTAIN: the best label is below min_confidence; it stays visible in
        # confidence and probabilities, as in `emoser classify --min-confidence`.
        best = max(range(len(self.labels)), key=lambda i: probabilities[i])
        emotion = UNCERTAIN if top == _LABEL_UNCERTAIN else self.labels[top]
        return {"emotion": emotion, "confidence": float(probabilities[best]),
                "probabilities": {label: float(probabilities[i]) for i, label in enumerate(self.labels)}}

    def classify(self, samples, rate: int, profile: Optional["Profile"] = None) -> Dict:
        """The emotion of one utterance: {"emotion", "confidence", "probabilities": {label: p}}; with `profile`, its
        features are standardized with that speaker's statistics (models with speaker normalization)."""
        array, frames, channels = _frames(samples, rate)
        probabilities = (ctypes.c_float * len(self.labels))()
        top = ctypes.c_int32()
        params = _ClassifyParams(self._params.speed_copies, self._params.min_confidence, None if profile is None else profile._handle)
        _check(_library().emoser_classify_pcm_f32(self._handle, _pointer(array), frames, int(rate), channels,
                                                  ctypes.byref(params), probabilities, len(self.labels), ctypes.byref(top)))
        return self._result(probabilities, top.value)

    def classify_file(self, path: str) -> Dict:
        """classify() of an audio file read by the library: WAV, AIFF/AIFF-C or FLAC (the format told from its bytes)."""
        probabilities = (ctypes.c_float * len(self.labels))()
        top = ctypes.c_int32()
        _check(_library().emoser_classify_audio_file(self._handle, os.fsencode(path), ctypes.byref(self._params),
                                                     probabilities, len(self.labels), ctypes.byref(top)))
        return self._result(probabilities, top.value)

    def profile(self) -> "Profile":
        """A new, empty speaker profile for this model's features."""
        return Profile(self)

    def load_profile(self, path: str) -> "Profile":
        """A speaker profile file written by Profile.save or `emoser enroll`."""
        return Profile(self, path)

    def stream(self, rate: int = 16000, window: float = 3.0, hop: float = 1.0) -> "Stream":
        """A live session: push mono audio at `rate`, get the emotion of the last `window` seconds every `hop` seconds."""
        return Stream(self, rate, window, hop)


class Profile(_Handle):
    """A speaker profile: statistics of one speaker's utterances, for Model.classify(..., profile=)."""

    def __init__(self, model: Model, path: Optional[str] = None):
        lib, handle = _library(), ctypes.c_void_p()
        if path is None:
            _check(lib.emoser_profile_new(model._handle, ctypes.byref(handle)))
        else:
            _check(lib.emoser_profile_load(model._handle, os.fsencode(path), ctypes.byref(handle)))
        self._handle = handle

    def add(self, samples, rate: int) -> bool:
        """Adds one utterance of the speaker; False when it is silent (below -50 dBFS) and was not added."""
        array, frames, channels = _frames(samples, rate)
        added = ctypes.c_int32()
        _check(_library().emoser_profile_add_f32(self._handle, _pointer(array), frames, int(rate), channels, ctypes.byref(added)))
        return bool(added.value)

    @property
    def count(self) -> int:
        """Utterances added so far."""
        n = ctypes.c_int64()
        _check(_library().emoser_profile_count(self._handle, ctypes.byref(n)))
        return n.value

    def save(self, path: str) -> None:
        """Writes the profile file (JSON, atomically): usable by `emoser classify --speaker`."""
        _check(_library().emoser_profile_save(self._handle, os.fsencode(path)))

    def close(self) -> None:
        if self._handle:
            _check(_library().emoser_profile_free(self._handle))
            self._handle = None


class Stream(_Handle):
    """A live session (emoser_stream_*): results as `emoser stream` prints them, as dicts
    {"start", "end", "silence", "emotion", "confidence", "probabilities"} (None for silence)."""

    def __init__(self, model: Model, rate: int, window: float, hop: float):
        lib, handle = _library(), ctypes.c_void_p()
        params = lib.emoser_stream_default_params()
        params.window_s, params.hop_s, params.sample_rate = float(window), float(hop), int(rate)
        _check(lib.emoser_stream_open(model._handle, ctypes.byref(params), ctypes.byref(handle)))
        self._handle = handle
        self._labels = model.labels
        self.rate = int(rate)

    def push(self, samples) -> List[Dict]:
        """Appends mono samples (float or int16) and returns the results that became ready."""
        array, frames, channels = _frames(samples, self.rate)
        if channels != 1:
            raise ValueError("a stream takes mono samples, shape (n,)")
        _check(_library().emoser_stream_push_f32(self._handle, _pointer(array), frames))
        return self._drain()

    def complete(self) -> List[Dict]:
        """Ends the input: the last, possibly shorter window is classified; returns the remaining results."""
        _check(_library().emoser_stream_complete(self._handle))
        return self._drain()

    def results(self, chunks: Iterable) -> Iterable[Dict]:
        """Pushes every chunk of `chunks`, then completes: yields each result as soon as it is ready."""
        for chunk in chunks:
            yield from self.push(chunk)
        yield from self.complete()

    def _drain(self) -> List[Dict]:
        lib, results = _library(), []
        result = _StreamResult()
        probabilities = (ctypes.c_float * len(self._labels))()
        while _check(lib.emoser_stream_next(self._handle, ctypes.byref(result), probabilities, len(self._labels))) == _OK:
            silent = bool(result.silence)
            results.append({
                "start": result.start_s, "end": result.end_s, "silence": silent,
                "emotion": None if silent else self._labels[result.label_index],
                "confidence": None if silent else float(result.confidence),
                "probabilities": None if silent else {l: float(probabilities[i]) for i, l in enumerate(self._labels)},
            })
        return results

    def close(self) -> None:
        if self._handle:
            _check(_library().emoser_stream_free(self._handle))
            self._handle = None
