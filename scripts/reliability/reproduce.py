#!/usr/bin/env python3
"""Runs every reproduction of issue 19 against one build of emoser and libemoser.so and prints a Markdown table:
status (exit code, C status or HTTP code), wall time, peak memory (RSS of the process, from /usr/bin/time -v for
commands; VmHWM of the server for HTTP) and the first line of the answer.

Usage: reproduce.py NATIVE_DIR [WORK_DIR]
  NATIVE_DIR: artifacts/native/linux-x64 of a build (emoser, libemoser.so, include/emoser.h).
  WORK_DIR: scratch folder for the crafted inputs and the C probe (default: a new temporary folder).
Needs gcc and the Emo-DB folder ($EMOSER_EMODB, default ../shared/data/emodb/wav). Cases are killed after 30 s or
beyond 4 GB of memory (reported as such).
"""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
KILL_AFTER = 30
# The server runs with an API key in its environment (a build without key support ignores it).
API_KEY = "reproduction-api-key-0123456789"
MEMORY_CAP_MB = 4096
rows = []


def first_line(text, limit=150):
    text = text.strip()
    line = text.splitlines()[0] if text else ""
    more = " [+%d more lines]" % (len(text.splitlines()) - 1) if len(text.splitlines()) > 1 else ""
    return (line[:limit] + ("..." if len(line) > limit else "")) + more


def run(case, args, stdin_cmd=None):
    """Runs args (optionally fed by the shell pipeline stdin_cmd), sampling its peak memory (VmHWM) every 20 ms;
    kills it after KILL_AFTER seconds or beyond MEMORY_CAP_MB."""
    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    feeder = None
    if stdin_cmd:
        feeder = subprocess.Popen(stdin_cmd, shell=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
    start = time.monotonic()
    p = subprocess.Popen(args, stdin=feeder.stdout if feeder else subprocess.DEVNULL, stdout=out, stderr=err)
    if feeder:
        feeder.stdout.close()
    peak, killed = 0, None
    while True:
        pid, status, usage = os.wait4(p.pid, os.WNOHANG)
        if pid:
            peak = max(peak, usage.ru_maxrss // 1024)
            p.returncode = os.waitstatus_to_exitcode(status)
            break
        try:
            peak = max(peak, int(re.search(r"VmHWM:\s+(\d+)", open("/proc/%d/status" % p.pid).read()).group(1)) // 1024)
        except (OSError, AttributeError):
            pass
        elapsed = time.monotonic() - start
        if killed is None and (elapsed > KILL_AFTER or peak > MEMORY_CAP_MB):
            killed = "killed after %.0f s at %d MB" % (elapsed, peak)
            p.kill()
        time.sleep(0.02)
    elapsed = time.monotonic() - start
    if feeder:
        os.killpg(feeder.pid, signal.SIGKILL)
        feeder.wait()
    out.seek(0)
    err.seek(0)
    stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    status = killed or "exit %d" % p.returncode
    answer = first_line(stderr) or first_line(stdout)
    rows.append((case, status, "%.2f s" % elapsed, "%d MB" % peak, answer))


def emodb():
    return os.environ.get("EMOSER_EMODB") or os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "emodb", "wav"))


class Server:
    def __init__(self, emoser, args, env=None):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.log = tempfile.TemporaryFile()
        self.p = subprocess.Popen([emoser, "serve", "--urls", "http://127.0.0.1:%d" % self.port] + args, stdout=self.log, stderr=self.log,
                                  env={**os.environ, **(env or {})})
        for _ in range(300):
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def hwm(self):
        return int(re.search(r"VmHWM:\s+(\d+)", open("/proc/%d/status" % self.p.pid).read()).group(1)) // 1024

    def request(self, method, path, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read().decode("utf-8", "replace")
        c.close()
        return r.status, data

    def raw(self, data):
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as s:
            s.sendall(data)
            chunks = []
            while True:
                b = s.recv(65536)
                if not b:
                    break
                chunks.append(b)
        text = b"".join(chunks).decode("latin-1")
        if not text:
            raise ConnectionError("the server closed the connection without an answer")
        head, _, body = text.partition("\r\n\r\n")
        return int(head.split(" ")[1]), body

    def case(self, case, fn):
        start = time.monotonic()
        try:
            code, body = fn()
            status = "HTTP %d" % code
            answer = first_line(body) if body else "(empty body)"
        except Exception as e:  # a dropped connection is a result too
            status, answer = "no answer", "%s: %s" % (type(e).__name__, e)
        rows.append((case, status, "%.2f s" % (time.monotonic() - start), "%d MB" % self.hwm(), answer))

    def stop(self):
        self.p.send_signal(signal.SIGINT)
        try:
            self.p.wait(10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


def multipart(boundary, parts, final=True):
    out = b""
    for headers, content in parts:
        out += b"--" + boundary + b"\r\n" + headers + b"\r\n\r\n" + content + b"\r\n"
    return out + (b"--" + boundary + b"--\r\n" if final else b"")


def main():
    native = os.path.abspath(sys.argv[1])
    work = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="emoser-repro-")
    os.makedirs(work, exist_ok=True)
    emoser = os.path.join(native, "emoser")
    sample = os.path.join(emodb(), "03a01Wa.wav")
    model = os.path.join(ROOT, "weights", "model-a.emow")
    inputs = os.path.join(work, "inputs")
    os.makedirs(inputs, exist_ok=True)
    profile = os.path.join(inputs, "profile.json")
    subprocess.run([emoser, "enroll", "--out", profile] + [os.path.join(emodb(), f) for f in ("03a01Fa.wav", "03a01Nc.wav", "03a01Wa.wav")],
                   check=True, capture_output=True)
    subprocess.run([sys.executable, os.path.join(HERE, "make-inputs.py"), inputs, sample, model, profile], check=True)
    probe = os.path.join(work, "capi-probe")
    subprocess.run(["gcc", "-O2", "-std=c11", "-Wall", "-I", os.path.join(native, "include"), "-I", os.path.join(ROOT, "examples", "c"),
                    "-o", probe, os.path.join(HERE, "capi-probe.c"), "-L", native, "-Wl,-rpath," + native, "-lemoser", "-lm"], check=True)
    i = lambda name: os.path.join(inputs, name)

    # 1. Non-finite answers
    run("CLI classify: float WAV, one sample 1e20", [emoser, "classify", i("float-huge-1e20.wav")])
    run("CLI classify: float WAV, one sample 3e38", [emoser, "classify", i("float-huge-3e38.wav")])
    # Builds since the CLI's --format took table|json|csv name the raw sample format --sample-format.
    helptext = subprocess.run([emoser, "classify", "--help"], capture_output=True, text=True).stdout
    sample_format = "--sample-format" if "--sample-format" in helptext else "--format"
    run("CLI classify --raw f32le, one sample 1e20", [emoser, "classify", "--raw", sample_format, "f32le", "--rate", "16000", i("float-huge-1e20.f32")])
    run("C emoser_classify_file: float WAV, one sample 1e20", [probe, "file", i("float-huge-1e20.wav")])
    run("C emoser_classify_file: float WAV, one sample 3e38", [probe, "file", i("float-huge-3e38.wav")])
    run("C emoser_classify_f32: one sample 1e20", [probe, "f32", i("float-huge-1e20.f32"), "16000"])
    run("CLI classify --model: weight 1e38 (CRC fixed)", [emoser, "classify", "--model", i("weights-1e38.emow"), sample])
    run("C emoser_model_load_file + classify: weight 1e38", [probe, "model", i("weights-1e38.emow"), sample])
    run("CLI classify --speaker: profile mean 1e308", [emoser, "classify", "--speaker", i("profile-1e308.json"), sample])
    run("C emoser_profile_load + classify: mean 1e308", [probe, "profile", i("profile-1e308.json"), sample])
    # 2. Work and memory
    run("CLI classify: rate field 16 Hz (60 KB file)", [emoser, "classify", i("rate-16hz.wav")])
    run("C emoser_classify_file: rate field 16 Hz", [probe, "file", i("rate-16hz.wav")])
    run("CLI classify --raw --rate 16000 /dev/zero", [emoser, "classify", "--raw", "--rate", "16000", "/dev/zero"])
    run("CLI classify --raw: endless zeros on stdin", [emoser, "classify", "--raw", "--rate", "16000", "-"], stdin_cmd="cat /dev/zero")
    run("CLI classify -: streaming WAV header (0xFFFFFFFF), endless data", [emoser, "classify", "-"],
        stdin_cmd="cat %s /dev/zero" % i("streaming-header.wav"))
    run("CLI classify: valid 2 GiB WAV (18.6 h)", [emoser, "classify", i("valid-2gib.wav")])
    run("C emoser_classify_file: valid 2 GiB WAV", [probe, "file", i("valid-2gib.wav")])
    run("CLI stream -: streaming header + 1 GiB noise (9.3 h)", [emoser, "stream", "-"],
        stdin_cmd="cat %s; head -c 1073741824 /dev/urandom" % i("streaming-header.wav"))
    # 3. Errors that are ours and in the right class
    run("CLI classify: empty data chunk", [emoser, "classify", i("empty-data.wav")])
    run("C emoser_classify_file: empty data chunk", [probe, "file", i("empty-data.wav")])
    run("CLI classify --model: extractor version 99", [emoser, "classify", "--model", i("weights-extractor-v99.emow"), sample])
    run("C emoser_model_load_file: extractor version 99", [probe, "model", i("weights-extractor-v99.emow"), sample])
    run("CLI classify --model: malformed model card", [emoser, "classify", "--model", i("weights-bad-card.emow"), sample])
    run("C emoser_model_load_file: malformed model card", [probe, "model", i("weights-bad-card.emow"), sample])

    # The entry points added after the issue (AIFF/FLAC decoders, ffmpeg, eGeMAPS): a build without them refuses the
    # formats as not WAV, or the option as unknown.
    tones = {"long-700s.flac": ["sox", "-n", "-r", "16000", "-c", "1", "-b", "16", i("long-700s.flac"), "synth", "700", "sine", "200"],
             "long-700s.aiff": ["sox", "-n", "-r", "16000", "-c", "1", "-b", "16", i("long-700s.aiff"), "synth", "700", "sine", "200"],
             "long-700s.mp3": ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=200:sample_rate=16000",
                               "-t", "700", "-c:a", "libmp3lame", i("long-700s.mp3")]}
    for name, cmd in tones.items():
        if not os.path.exists(i(name)):
            subprocess.run(cmd, check=True)
    run("CLI classify: FLAC of 700 s", [emoser, "classify", i("long-700s.flac")])
    run("CLI classify: AIFF of 700 s", [emoser, "classify", i("long-700s.aiff")])
    run("CLI classify: MP3 of 700 s (ffmpeg)", [emoser, "classify", i("long-700s.mp3")])
    run("C emoser_classify_file: FLAC of 700 s", [probe, "file", i("long-700s.flac")])
    run("CLI features --set egemaps: float WAV, one sample 1e20", [emoser, "features", "--set", "egemaps", i("float-huge-1e20.wav")])
    run("CLI features --set egemaps: rate field 16 Hz", [emoser, "features", "--set", "egemaps", i("rate-16hz.wav")])

    # 4 and 5. HTTP
    server = Server(emoser, ["--data", emodb(), "--models-dir", os.path.join(work, "models")], env={"EMOSER_API_KEY": API_KEY})
    huge = open(i("float-huge-1e20.wav"), "rb").read()
    server.case("POST /predict: float WAV, one sample 1e20", lambda: server.request("POST", "/predict", huge, {"Content-Type": "audio/wav"}))
    raw = open(i("float-huge-1e20.f32"), "rb").read()
    server.case("POST /predict?rate=16000&format=f32le: one sample 1e20",
                lambda: server.request("POST", "/predict?rate=16000&format=f32le", raw, {"Content-Type": "application/octet-stream"}))
    server.case("POST /predict: rate field 16 Hz", lambda: server.request("POST", "/predict", open(i("rate-16hz.wav"), "rb").read(), {"Content-Type": "audio/wav"}))
    poisoned = open(i("profile-1e308.json"), "rb").read()
    server.case("PUT /speakers/poison: mean 1e308, no key", lambda: server.request("PUT", "/speakers/poison", poisoned, {"Content-Type": "application/json"}))
    server.case("PUT /speakers/poison: mean 1e308, with the key", lambda: server.request("PUT", "/speakers/poison", poisoned,
                                                                                     {"Content-Type": "application/json", "Authorization": "Bearer " + API_KEY}))
    server.case("GET /predict?ID=0&speaker=poison (with the key)", lambda: server.request("GET", "/predict?ID=0&speaker=poison", headers={"Authorization": "Bearer " + API_KEY}))
    wav = open(sample, "rb").read()
    b = b"XyZ"
    part = b'Content-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav'
    mp = {"Content-Type": "multipart/form-data; boundary=XyZ"}
    server.case("POST /predict multipart: no final boundary", lambda: server.request("POST", "/predict", multipart(b, [(part, wav)], final=False), mp))
    server.case("POST /predict multipart: garbage body", lambda: server.request("POST", "/predict", b"\x00garbage" * 100, mp))
    long_header = part + b"\r\nX-Filler: " + b"a" * 20000
    server.case("POST /predict multipart: 20 KB part header", lambda: server.request("POST", "/predict", multipart(b, [(long_header, wav)]), mp))
    server.case("GET 9000-byte URL (Kestrel 414)", lambda: server.raw(b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"))
    server.case("40 KB of request headers (Kestrel 431)", lambda: server.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: " + b"a" * 40000 + b"\r\n\r\n"))
    server.case("malformed request line (Kestrel 400)", lambda: server.raw(b"GET /healthz HTTP/1.1 extra\r\nHost: x\r\n\r\n"))
    server.case("POST /train without a key", lambda: server.request("POST", "/train", b'{"protocol":"magic"}', {"Content-Type": "application/json"}))
    server.case("DELETE /speakers/poison without a key", lambda: server.request("DELETE", "/speakers/poison"))
    server.stop()

    # 5. Default bind address and start-up without a key beyond loopback
    for case, args in (("serve with no --urls: listening on", []), ("serve --urls http://0.0.0.0:PORT, no key", None)):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        argv = [emoser, "serve", "--models-dir", os.path.join(work, "models")] + (args if args is not None else ["--urls", "http://0.0.0.0:%d" % port])
        log = tempfile.TemporaryFile()
        start = time.monotonic()
        p = subprocess.Popen(argv, stdout=log, stderr=log)
        try:
            p.wait(8)
        except subprocess.TimeoutExpired:
            pass
        log.seek(0)
        text = log.read().decode("utf-8", "replace")
        if p.poll() is None:
            listen = [l for l in subprocess.run(["ss", "-ltnp"], capture_output=True, text=True).stdout.splitlines() if "pid=%d," % p.pid in l]
            status = "running"
            answer = "listening on " + ", ".join(l.split()[3] for l in listen)
            p.send_signal(signal.SIGINT)
            p.wait(10)
        else:
            status, answer = "exit %d" % p.returncode, first_line(text)
        rows.append((case, status, "%.2f s" % (time.monotonic() - start), "", answer))

    print("| reproduction | status | time | peak memory | answer |")
    print("|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(c.replace("|", "\\|") for c in r) + " |")


if __name__ == "__main__":
    main()
