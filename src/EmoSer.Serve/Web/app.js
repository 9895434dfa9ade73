// EmoSer web page: plain JavaScript, no dependencies. Charts are hand-written SVG.
'use strict';

const $ = (id) => document.getElementById(id);
const SVG_NS = 'http://www.w3.org/2000/svg';
const EMOTION_COLORS = {
  angry: '--angry', boredom: '--boredom', disgust: '--disgust', fear: '--fear',
  happy: '--happy', sad: '--sad', neutral: '--neutral',
};
const FALLBACK_COLORS = ['#ff5c6c', '#8a94b0', '#8bc34a', '#b084ff', '#ffc94d', '#4d9dff', '#5fd4c4', '#ff9f5c', '#e07be0', '#9ccc65'];
let labels = [];

function colorOf(label) {
  const v = EMOTION_COLORS[label];
  if (v) return getComputedStyle(document.documentElement).getPropertyValue(v).trim();
  const i = Math.max(0, labels.indexOf(label));
  return FALLBACK_COLORS[i % FALLBACK_COLORS.length];
}

function el(name, attrs = {}, parent = null) {
  const node = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (parent) parent.appendChild(node);
  return node;
}

function toast(message) {
  const t = document.createElement('div');
  t.className = 'toast';
  t.textContent = message;
  document.body.appendChild(t);
  setTimeout(() => t.remove(), 5000);
}

// A server that listens beyond loopback asks for its API key on every request that changes state (training,
// speaker profiles, uploads with a speaker id). The page asks for it once, on the first 401, and keeps it in
// localStorage for this origin.
const API_KEY = 'emoser.apiKey';

function storedApiKey() {
  try { return localStorage.getItem(API_KEY); } catch { return null; }
}

async function api(path, options = {}, retried = false) {
  const key = storedApiKey();
  const sent = key ? { ...options, headers: { ...(options.headers || {}), Authorization: `Bearer ${key}` } } : options;
  const response = await fetch(path, sent);
  const type = response.headers.get('content-type') || '';
  const body = type.includes('json') ? await response.json() : await response.text();
  if (!response.ok) {
    const message = body && body.error ? body.error : `HTTP ${response.status}`;
    if (response.status === 401 && !retried) {
      const entered = window.prompt(`${message}\n\nAPI key of this server:`);
      if (entered && entered.trim()) {
        try { localStorage.setItem(API_KEY, entered.trim()); } catch { /* storage disabled: this request only */ }
        return api(path, { ...options, headers: { ...(options.headers || {}), Authorization: `Bearer ${entered.trim()}` } }, true);
      }
    }
    const error = new Error(message);
    error.status = response.status;
    throw error;
  }
  return { body, response };
}

// ---------- probability bar chart ----------
function drawBars(container, probabilities) {
  const entries = Object.entries(probabilities).sort((a, b) => b[1] - a[1]);
  const rowH = 34, labelW = 96, valueW = 64, width = 560;
  const svg = el('svg', { viewBox: `0 0 ${width} ${entries.length * rowH + 6}`, width: '100%', role: 'img' });
  const barW = width - labelW - valueW;
  entries.forEach(([label, p], i) => {
    const y = i * rowH + 4;
    const g = el('g', { class: 'bar', 'data-label': label }, svg);
    el('text', { x: labelW - 10, y: y + 19, 'text-anchor': 'end', 'font-size': 14, 'font-weight': i === 0 ? 700 : 400 }, g).textContent = label;
    el('rect', { x: labelW, y, width: barW, height: 26, rx: 6, fill: 'rgba(255,255,255,0.05)' }, g);
    const bar = el('rect', { x: labelW, y, width: 0, height: 26, rx: 6, fill: colorOf(label), opacity: i === 0 ? 1 : 0.75 }, g);
    requestAnimationFrame(() => {
      bar.style.transition = 'width .5s cubic-bezier(.2,.8,.2,1)';
      bar.setAttribute('width', Math.max(2, p * barW));
    });
    el('text', { x: width - 4, y: y + 19, 'text-anchor': 'end', 'font-size': 13, class: 'mono' }, g).textContent = (p * 100).toFixed(1) + '%';
  });
  container.replaceChildren(svg);
  container.dataset.topLabel = entries.length ? entries[0][0] : '';
}

// ---------- timeline ----------
function drawTimeline(segments, duration) {
  const wrap = $('timeline-wrap');
  if (!segments || segments.length < 2) { wrap.classList.add('hidden'); return; }
  wrap.classList.remove('hidden');
  const width = 560, height = 64;
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%' });
  const x = (t) => (t / duration) * width;
  for (const s of segments) {
    const g = el('g', {}, svg);
    el('rect', { x: x(s.start), y: 6, width: Math.max(1, x(s.end) - x(s.start) - 1), height: 30, rx: 4,
      fill: colorOf(s.predicted_emotion), opacity: 0.35 + 0.65 * s.confidence }, g);
    el('title', {}, g).textContent = `${s.start.toFixed(1)}–${s.end.toFixed(1)} s: ${s.predicted_emotion} (${(s.confidence * 100).toFixed(0)}%)`;
  }
  const ticks = Math.min(10, Math.ceil(duration));
  for (let i = 0; i <= ticks; i++) {
    const t = (duration * i) / ticks;
    const anchor = i === 0 ? 'start' : i === ticks ? 'end' : 'middle';
    el('text', { x: x(t), y: 56, 'font-size': 11, 'text-anchor': anchor, opacity: 0.7 }, svg).textContent = t.toFixed(t < 10 ? 1 : 0) + 's';
  }
  $('timeline').replaceChildren(svg);
  const seen = [...new Set(segments.map((s) => s.predicted_emotion))];
  $('timeline-legend').replaceChildren(...seen.map((l) => {
    const span = document.createElement('span');
    span.innerHTML = `<i style="background:${colorOf(l)}"></i>${l}`;
    return span;
  }));
}

function showResult(result, source, truth, audioUrl) {
  $('result').classList.remove('hidden');
  $('result-source').textContent = source;
  $('top-label').textContent = result.predicted_emotion;
  $('top-label').style.color = colorOf(result.predicted_emotion);
  $('top-confidence').textContent = `${(result.confidence * 100).toFixed(1)}% confidence`;
  $('result-truth').textContent = truth
    ? (truth === result.predicted_emotion ? `✓ matches the true label (${truth})` : `✗ true label: ${truth}`)
    : '';
  drawBars($('chart'), result.probabilities);
  drawTimeline(result.timeline, result.duration_seconds);
  const player = $('player');
  if (audioUrl) { player.src = audioUrl; player.classList.remove('hidden'); } else player.classList.add('hidden');
}

// ---------- speaker profile ----------
// One random speaker id per browser (kept in localStorage): uploads and recordings from this browser build one
// profile on the server, which a speaker-normalized model uses to standardize the next clip's features.
const SPEAKER_KEY = 'emoser.speaker';
const SPEAKER_ID = /^[A-Za-z0-9._-]{1,64}$/;
let speakerNormalization = false;

function storedSpeakerId() {
  try {
    const id = localStorage.getItem(SPEAKER_KEY);
    return id && SPEAKER_ID.test(id) ? id : null;
  } catch {
    return null; // storage disabled
  }
}

function speakerId() {
  let id = storedSpeakerId();
  if (!id) {
    // getRandomValues works on plain-http origins, unlike crypto.randomUUID.
    const bytes = crypto.getRandomValues(new Uint8Array(12));
    id = 'web-' + [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
    try { localStorage.setItem(SPEAKER_KEY, id); } catch { /* storage disabled: a new id per page load */ }
  }
  return id;
}

function showSpeaker(n) {
  $('speaker-count').textContent = `speaker profile: ${n} utterance${n === 1 ? '' : 's'}`;
  $('speaker-count').dataset.utterances = String(n);
}

async function refreshSpeaker() {
  $('speaker-row').classList.toggle('hidden', !speakerNormalization);
  if (!speakerNormalization) return;
  // No id yet: nothing to ask (and no 404 in the console).
  const id = storedSpeakerId();
  if (!id) { showSpeaker(0); return; }
  try {
    const { body } = await api(`/speakers/${id}`);
    showSpeaker(body.utterances);
  } catch (e) {
    if (e.status === 404) showSpeaker(0); else toast(e.message);
  }
}

function setupSpeaker() {
  $('speaker-reset').addEventListener('click', async () => {
    const id = storedSpeakerId();
    if (id) {
      try {
        await api(`/speakers/${id}`, { method: 'DELETE' });
      } catch (e) {
        if (e.status !== 404) { toast(e.message); return; }
      }
      // The next clip starts a new id: a reset is a fresh start on every server this browser talks to.
      try { localStorage.removeItem(SPEAKER_KEY); } catch { /* storage disabled */ }
    }
    showSpeaker(0);
    toast('Speaker profile reset');
  });
}

// ---------- upload ----------
async function classifyBlob(blob, name) {
  $('classify-status').textContent = 'classifying…';
  try {
    const form = new FormData();
    form.append('speaker', speakerId());
    form.append('file', blob, name);
    const { body } = await api('/predict?segment=2', { method: 'POST', body: form });
    showResult(body, `${name} · ${body.duration_seconds.toFixed(2)} s · ${body.sample_rate} Hz · ${body.channels} ch`, null, URL.createObjectURL(blob));
    if (body.speaker) showSpeaker(body.speaker.utterances + (body.speaker.enrolled ? 1 : 0));
    $('classify-status').textContent = '';
  } catch (e) {
    $('classify-status').textContent = '';
    toast(e.message);
  }
}

function setupUpload() {
  const drop = $('drop'), input = $('file-input');
  const pick = () => input.click();
  $('browse').addEventListener('click', (e) => { e.stopPropagation(); pick(); });
  drop.addEventListener('click', pick);
  drop.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') pick(); });
  input.addEventListener('change', () => { if (input.files[0]) classifyBlob(input.files[0], input.files[0].name); });
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const f = e.dataTransfer.files[0];
    if (f) classifyBlob(f, f.name);
  });
}

// ---------- microphone recording -> WAV ----------
function encodeWav(chunks, sampleRate) {
  const length = chunks.reduce((n, c) => n + c.length, 0);
  const buffer = new ArrayBuffer(44 + length * 2);
  const v = new DataView(buffer);
  const ascii = (o, s) => { for (let i = 0; i < s.length; i++) v.setUint8(o + i, s.charCodeAt(i)); };
  ascii(0, 'RIFF'); v.setUint32(4, 36 + length * 2, true); ascii(8, 'WAVE');
  ascii(12, 'fmt '); v.setUint32(16, 16, true); v.setUint16(20, 1, true); v.setUint16(22, 1, true);
  v.setUint32(24, sampleRate, true); v.setUint32(28, sampleRate * 2, true); v.setUint16(32, 2, true); v.setUint16(34, 16, true);
  ascii(36, 'data'); v.setUint32(40, length * 2, true);
  let o = 44;
  for (const c of chunks) {
    for (let i = 0; i < c.length; i++, o += 2) {
      const s = Math.max(-1, Math.min(1, c[i]));
      v.setInt16(o, s < 0 ? s * 32768 : s * 32767, true);
    }
  }
  return new Blob([buffer], { type: 'audio/wav' });
}

function setupRecording() {
  const button = $('record');
  let state = null;
  button.addEventListener('click', async () => {
    if (state) {
      const { context, stream, node, source, chunks, timer } = state;
      state = null;
      clearInterval(timer);
      node.disconnect(); source.disconnect();
      stream.getTracks().forEach((t) => t.stop());
      await context.close();
      button.classList.remove('on');
      $('record-label').textContent = 'Record';
      $('record-time').textContent = '';
      if (chunks.length) classifyBlob(encodeWav(chunks, context.sampleRate), 'recording.wav');
      return;
    }
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false } });
      const context = new AudioContext();
      const source = context.createMediaStreamSource(stream);
      // ScriptProcessorNode needs no separate module file and is supported everywhere we care about.
      const node = context.createScriptProcessor(4096, 1, 1);
      const chunks = [];
      let captured = 0;
      button.dataset.recordedSeconds = '0';
      // The clock shows audio actually captured, not wall time: on a busy machine the two drift apart.
      node.onaudioprocess = (e) => {
        chunks.push(new Float32Array(e.inputBuffer.getChannelData(0)));
        captured += e.inputBuffer.length;
        button.dataset.recordedSeconds = (captured / context.sampleRate).toFixed(3);
      };
      source.connect(node);
      node.connect(context.destination);
      const timer = setInterval(() => { $('record-time').textContent = (captured / context.sampleRate).toFixed(1) + ' s'; }, 100);
      state = { context, stream, node, source, chunks, timer };
      button.classList.add('on');
      $('record-label').textContent = 'Stop';
    } catch (e) {
      toast('Microphone unavailable: ' + e.message);
    }
  });
}

// ---------- live: microphone -> WebSocket /stream -> rolling timeline ----------
const LIVE_WINDOW = 2, LIVE_HOP = 0.5, LIVE_SHOWN = 40;

function drawLiveTimeline(results) {
  const shown = results.slice(-LIVE_SHOWN);
  const width = 560, height = 64, slot = width / LIVE_SHOWN;
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%' });
  shown.forEach((r, i) => {
    const x = width - (shown.length - i) * slot;
    const g = el('g', {}, svg);
    const rect = el('rect', { x: x + 1, y: 6, width: slot - 2, height: 30, rx: 3, 'data-emotion': r.emotion || 'silence' }, g);
    if (r.silence) rect.setAttribute('class', 'silence');
    else { rect.setAttribute('fill', colorOf(r.emotion)); rect.setAttribute('opacity', 0.35 + 0.65 * r.confidence); }
    el('title', {}, g).textContent = `${r.start.toFixed(1)}–${r.end.toFixed(1)} s: ${r.silence ? 'silence' : `${r.emotion} (${(r.confidence * 100).toFixed(0)}%)`}`;
  });
  if (shown.length) {
    const last = shown[shown.length - 1];
    el('text', { x: width, y: 56, 'font-size': 11, 'text-anchor': 'end', opacity: 0.7 }, svg).textContent = `${last.end.toFixed(1)} s`;
    el('text', { x: width - shown.length * slot, y: 56, 'font-size': 11, 'text-anchor': 'start', opacity: 0.7 }, svg).textContent = `${shown[0].start.toFixed(1)} s`;
  }
  const box = $('live-timeline');
  box.replaceChildren(svg);
  box.dataset.count = String(results.length);
  const seen = [...new Set(shown.filter((r) => !r.silence).map((r) => r.emotion))];
  $('live-legend').replaceChildren(...seen.map((l) => {
    const span = document.createElement('span');
    span.innerHTML = `<i style="background:${colorOf(l)}"></i>${l}`;
    return span;
  }));
}

function setupLive() {
  const button = $('live');
  let state = null;
  const stop = async () => {
    if (!state) return;
    const { context, stream, node, source, socket } = state;
    state = null;
    node.disconnect(); source.disconnect();
    stream.getTracks().forEach((t) => t.stop());
    await context.close();
    // 'end' asks the server for the last window's result; it then closes the socket.
    if (socket.readyState === WebSocket.OPEN) socket.send('end');
    button.classList.remove('on');
    $('live-label').textContent = 'Live';
  };
  button.addEventListener('click', async () => {
    if (state) { await stop(); return; }
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
      const context = new AudioContext();
      const query = `rate=${context.sampleRate}&format=s16le&window=${LIVE_WINDOW}&hop=${LIVE_HOP}`;
      const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/stream?${query}`);
      socket.binaryType = 'arraybuffer';
      const results = [];
      socket.onmessage = (e) => {
        const r = JSON.parse(e.data);
        if (r.error) { toast(r.error); return; }
        results.push(r);
        drawLiveTimeline(results);
        $('live-emotion').textContent = r.silence ? '…' : r.emotion;
        $('live-emotion').style.color = r.silence ? '' : colorOf(r.emotion);
        $('live-confidence').textContent = r.silence ? 'silence' : `${(r.confidence * 100).toFixed(0)}% confidence`;
        $('live-status').textContent = `live · ${r.end.toFixed(1)} s · ${context.sampleRate} Hz`;
      };
      socket.onerror = () => toast('Live stream: the connection failed');
      socket.onclose = (e) => { if (state && state.socket === socket) { stop(); if (e.code !== 1000) toast(`Live stream closed: ${e.reason || e.code}`); } };
      await new Promise((resolve, reject) => { socket.onopen = resolve; socket.addEventListener('error', reject, { once: true }); });
      const source = context.createMediaStreamSource(stream);
      const node = context.createScriptProcessor(4096, 1, 1);
      node.onaudioprocess = (e) => {
        if (socket.readyState !== WebSocket.OPEN) return;
        const x = e.inputBuffer.getChannelData(0);
        const pcm = new Int16Array(x.length);
        for (let i = 0; i < x.length; i++) {
          const s = Math.max(-1, Math.min(1, x[i]));
          pcm[i] = Math.round(s * 32767);
        }
        socket.send(pcm.buffer);
      };
      source.connect(node);
      node.connect(context.destination);
      state = { context, stream, node, source, socket };
      $('live-panel').classList.remove('hidden');
      $('live-emotion').textContent = '…';
      $('live-confidence').textContent = '';
      $('live-status').textContent = `live · listening (${LIVE_WINDOW} s windows every ${LIVE_HOP} s)`;
      drawLiveTimeline(results);
      button.classList.add('on');
      $('live-label').textContent = 'Stop';
    } catch (e) {
      toast('Live mode unavailable: ' + (e && e.message ? e.message : 'no connection'));
    }
  });
}

// ---------- dataset ----------
let dataset = [];
function renderDataset() {
  const q = $('dataset-filter').value.trim().toLowerCase();
  const rows = dataset.filter((f) => !q || [f.file, f.speaker || '', f.true_emotion || '', String(f.id)].some((s) => s.toLowerCase().includes(q)));
  const tbody = $('dataset-table').querySelector('tbody');
  tbody.replaceChildren(...rows.map((f) => {
    const tr = document.createElement('tr');
    tr.dataset.id = f.id;
    const chip = f.true_emotion ? `<span class="chip" style="background:${colorOf(f.true_emotion)}">${f.true_emotion}</span>` : '<span class="muted">–</span>';
    tr.innerHTML = `<td class="mono">${f.id}</td><td class="mono">${f.file}</td><td>${f.speaker || '–'}</td><td>${chip}</td><td><button class="btn small">Classify</button></td>`;
    tr.querySelector('button').addEventListener('click', () => classifyId(f.id));
    return tr;
  }));
}

async function classifyId(id) {
  document.querySelectorAll('#dataset-table tr.selected').forEach((r) => r.classList.remove('selected'));
  const row = document.querySelector(`#dataset-table tr[data-id="${id}"]`);
  if (row) row.classList.add('selected');
  try {
    const { body } = await api(`/predict?ID=${encodeURIComponent(id)}`);
    showResult(body, `dataset #${body.id} · ${body.file}`, body.true_emotion, null);
    $('classify-card').scrollIntoView({ behavior: 'smooth', block: 'start' });
  } catch (e) {
    toast(e.message);
  }
}

async function loadDataset() {
  try {
    const { body } = await api('/predict');
    dataset = body.files;
    $('dataset-hint').textContent = body.count
      ? `${body.count} files, in a stable (sorted) order. Pick one to classify it by ID.`
      : 'The server has no dataset (start it with --data DIR).';
    $('dataset-id').max = Math.max(0, body.count - 1);
    renderDataset();
  } catch (e) {
    $('dataset-hint').textContent = e.message;
  }
  $('dataset-filter').addEventListener('input', renderDataset);
  $('dataset-go').addEventListener('click', () => classifyId($('dataset-id').value));
  $('dataset-id').addEventListener('keydown', (e) => { if (e.key === 'Enter') classifyId($('dataset-id').value); });
}

// ---------- line charts ----------
function drawLines(container, series, yMax) {
  const width = 420, height = 190, padL = 40, padB = 24, padT = 10, padR = 10;
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%' });
  const points = series.flatMap((s) => s.points);
  if (!points.length) { container.replaceChildren(svg); return; }
  const xMax = Math.max(...points.map((p) => p[0]), 1);
  const top = yMax ?? Math.max(...points.map((p) => p[1]), 1e-6) * 1.08;
  const x = (v) => padL + ((v - 1) / Math.max(1, xMax - 1)) * (width - padL - padR);
  const y = (v) => height - padB - (v / top) * (height - padB - padT);
  for (let i = 0; i <= 4; i++) {
    const v = (top * i) / 4;
    el('line', { x1: padL, x2: width - padR, y1: y(v), y2: y(v), stroke: 'rgba(255,255,255,0.07)' }, svg);
    el('text', { x: padL - 6, y: y(v) + 4, 'font-size': 10, 'text-anchor': 'end', opacity: 0.6 }, svg).textContent = v.toFixed(top < 2 ? 2 : 1);
  }
  el('text', { x: width - padR, y: height - 6, 'font-size': 10, 'text-anchor': 'end', opacity: 0.6 }, svg).textContent = `epoch ${xMax}`;
  series.forEach((s) => {
    if (!s.points.length) return;
    const d = s.points.map((p, i) => `${i ? 'L' : 'M'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join('');
    el('path', { d, fill: 'none', stroke: s.color, 'stroke-width': 2, 'stroke-dasharray': s.dash || '' }, svg);
  });
  series.forEach((s, i) => {
    el('rect', { x: padL + 8 + i * 92, y: padT, width: 10, height: 3, fill: s.color }, svg);
    el('text', { x: padL + 22 + i * 92, y: padT + 5, 'font-size': 10 }, svg).textContent = s.name;
  });
  container.replaceChildren(svg);
}

function curveSeries(curve, key, name, color, dash) {
  // With several folds, plot the last fold's curve (the live one).
  const last = curve.length ? curve[curve.length - 1] : {};
  const pts = curve.filter((p) => p.fold === last.fold && p.member === last.member && p[key] !== undefined && p[key] !== null)
    .map((p) => [p.epoch, p[key]]);
  return { name, color, dash, points: pts };
}

// ---------- confusion matrix ----------
function findConfusion(report) {
  let found = null;
  const visit = (node, depth) => {
    if (found || !node || typeof node !== 'object' || depth > 4) return;
    for (const [k, v] of Object.entries(node)) {
      if (/confusion/i.test(k)) {
        const m = Array.isArray(v) ? v : (v && Array.isArray(v.matrix) ? v.matrix : null);
        if (m && m.length && Array.isArray(m[0])) {
          found = { matrix: m, labels: (v && v.labels) || node.labels || report.labels || labels };
          return;
        }
      }
    }
    for (const v of Object.values(node)) visit(v, depth + 1);
  };
  visit(report, 0);
  return found;
}

function drawConfusion(container, matrix, names) {
  const n = matrix.length, cell = 44, pad = 84;
  const size = pad + n * cell + 4;
  const svg = el('svg', { viewBox: `0 0 ${size} ${size}`, width: '100%', style: `max-width:${size + 40}px` });
  const rowSums = matrix.map((r) => r.reduce((a, b) => a + b, 0) || 1);
  for (let i = 0; i < n; i++) {
    el('text', { x: pad - 6, y: pad + i * cell + cell / 2 + 4, 'font-size': 11, 'text-anchor': 'end' }, svg).textContent = names[i] ?? i;
    el('text', { x: pad + i * cell + cell / 2, y: pad - 8, 'font-size': 11, 'text-anchor': 'start', transform: `rotate(-45 ${pad + i * cell + cell / 2} ${pad - 8})` }, svg).textContent = names[i] ?? i;
    for (let j = 0; j < n; j++) {
      const share = matrix[i][j] / rowSums[i];
      const color = i === j ? `rgba(61,220,151,${0.12 + 0.88 * share})` : `rgba(255,107,129,${share > 0 ? 0.1 + 0.9 * share : 0.03})`;
      el('rect', { x: pad + j * cell, y: pad + i * cell, width: cell - 2, height: cell - 2, rx: 4, fill: color }, svg);
      el('text', { x: pad + j * cell + cell / 2 - 1, y: pad + i * cell + cell / 2 + 4, 'font-size': 12, 'text-anchor': 'middle' }, svg).textContent = matrix[i][j];
    }
  }
  container.replaceChildren(svg);
}

// ---------- training ----------
let pollTimer = null;
function renderJob(job) {
  $('job').classList.remove('hidden');
  $('job-id').textContent = `job ${job.id}`;
  const state = $('job-state');
  state.textContent = job.state;
  state.className = 'state ' + job.state;
  const p = job.progress || {};
  const parts = [];
  if (p.features_total && !p.epoch) parts.push(`features ${p.features_done} / ${p.features_total}`);
  if (p.fold !== undefined && p.fold !== null) parts.push(`fold ${p.fold}`);
  if (p.member) parts.push(`member ${p.member}`);
  if (p.epoch !== undefined && p.epoch !== null) parts.push(`epoch ${p.epoch}${p.epochs ? ' / ' + p.epochs : ''}`);
  $('job-progress').textContent = parts.join(' · ');
  $('job-error').textContent = job.error || '';
  const total = p.epochs || (job.params && job.params.epochs) || 0;
  const fraction = job.state === 'succeeded' ? 1
    : total && p.epoch ? Math.min(1, p.epoch / total)
    : p.features_total ? 0.1 * p.features_done / p.features_total : 0;
  $('job-bar').style.width = (fraction * 100).toFixed(1) + '%';
  const curve = job.curve || [];
  drawLines($('loss-chart'), [
    curveSeries(curve, 'loss', 'train', '#7c9cff'),
    curveSeries(curve, 'val_loss', 'validation', '#ffc94d', '4 3'),
  ]);
  drawLines($('acc-chart'), [
    curveSeries(curve, 'acc', 'train', '#3ddc97'),
    curveSeries(curve, 'val_acc', 'validation', '#b084ff', '4 3'),
  ], 1);
  const log = $('job-log');
  log.textContent = (job.log_tail || []).join('\n');
  log.scrollTop = log.scrollHeight;
  const confusion = job.report ? findConfusion(job.report) : null;
  $('confusion-fig').classList.toggle('hidden', !confusion);
  if (confusion) drawConfusion($('confusion'), confusion.matrix, confusion.labels);
  const active = job.state === 'queued' || job.state === 'running';
  $('train-start').disabled = active;
  $('train-cancel').classList.toggle('hidden', !active);
  $('train-cancel').dataset.id = job.id;
  return active;
}

async function pollJob(id) {
  clearTimeout(pollTimer);
  try {
    const { body } = await api(`/train/${encodeURIComponent(id)}`);
    if (renderJob(body)) pollTimer = setTimeout(() => pollJob(id), 1000);
    else loadModel();
  } catch (e) {
    toast(e.message);
  }
}

function setupTraining() {
  $('train-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    // Epochs and optimizer are sent only when chosen: otherwise the recipe's own apply (the shipped recipe by default).
    const params = {
      protocol: f.get('protocol'),
      recipe: f.get('recipe'),
      test_size: Number(f.get('test_size')),
      random_state: Number(f.get('random_state')),
      augment: f.get('augment') === 'on',
    };
    if (f.get('epochs')) params.epochs = Number(f.get('epochs'));
    if (f.get('optimizer')) params.optimizer = f.get('optimizer');
    if (params.augment) params.n_modifications = Number(f.get('n_modifications'));
    try {
      const { body } = await api('/train', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
      pollJob(body.id);
    } catch (err) {
      toast(err.message);
    }
  });
  $('train-cancel').addEventListener('click', async () => {
    try {
      await api(`/train/${encodeURIComponent($('train-cancel').dataset.id)}`, { method: 'DELETE' });
    } catch (err) {
      toast(err.message);
    }
  });
}

// ---------- served model ----------
function metricBox(k, v) {
  const d = document.createElement('div');
  d.className = 'metric';
  d.innerHTML = `<div class="v"></div><div class="k"></div>`;
  d.querySelector('.v').textContent = v;
  d.querySelector('.k').textContent = k;
  return d;
}

async function loadModel() {
  try {
    const { body } = await api('/train');
    labels = body.labels;
    $('model-version').textContent = body.version;
    speakerNormalization = !!body.speaker_normalization;
    refreshSpeaker();
    const boxes = [metricBox('model', body.name), metricBox('labels', body.labels.length), metricBox('sample rate', body.sample_rate + ' Hz')];
    for (const [name, report] of Object.entries(body.reports || {})) {
      const pct = (x) => (typeof x === 'number' ? (x * 100).toFixed(1) + '%' : '–');
      if (report && (report.wa !== undefined || report.ua !== undefined)) {
        boxes.push(metricBox(`${name}: weighted accuracy`, pct(report.wa)));
        boxes.push(metricBox(`${name}: unweighted recall`, pct(report.ua)));
      }
    }
    if (body.job_id) boxes.push(metricBox('trained by job', body.job_id));
    $('model-info').classList.remove('muted');
    $('model-info').replaceChildren(...boxes);
    if (body.active_job) pollJob(body.active_job);
  } catch (e) {
    $('model-info').textContent = e.message;
  }
}

async function health() {
  try {
    await api('/healthz');
    $('health-dot').className = 'dot ok';
  } catch {
    $('health-dot').className = 'dot down';
  }
}

setupUpload();
setupSpeaker();
setupRecording();
setupLive();
setupTraining();
loadModel().then(loadDataset);
health();
setInterval(health, 10000);
