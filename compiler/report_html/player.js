// player.js: the transport. The master plays through an <audio> element (it needs no permission,
// even from file://); the stems play through Web Audio, every source started at one context time so
// they stay sample-locked, each through its own gain (mute/solo) and meter. The count-in is made in
// Web Audio too: a click per felt beat of the bar playback starts in, the first one accented.

const START_DELAY_S = 0.08;  // lets the first click and the sources be scheduled ahead of the audio thread
const CLICK_HZ = [1760, 1320];  // accented, other beats

class Player {
  constructor(onChange) {
    this.onChange = onChange;
    this.element = document.getElementById("master-audio");
    if (AUDIO && AUDIO.file) this.element.src = fileUrl(AUDIO.file);
    this.element.addEventListener("error", () => this.report(`${AUDIO.file} cannot be played here`));
    this.context = null;
    this.stems = null;        // name -> {buffer, gain, meter, source}
    this.mode = "master";
    this.playing = false;
    this.position = 0;        // while stopped
    this.range = null;        // {start, end, name}
    this.looping = false;
    this.countIn = 0;
    this.muted = new Set();
    this.soloed = new Set();
    this.pending = [];        // count-in timers and click nodes, cancelled by a pause
    this.startedAt = 0;       // context time the stems (or the master element) start at
    this.startOffset = 0;
    this.status = "";
  }

  // -- state ------------------------------------------------------------------------------------
  get canUseStems() { return this.stems !== null; }

  audible(name) {
    return this.soloed.size ? this.soloed.has(name) : !this.muted.has(name);
  }

  now() {
    if (!this.playing) return this.position;
    if (this.mode === "master") {
      return this.context && this.context.currentTime < this.startedAt ? this.startOffset : this.element.currentTime;
    }
    const elapsed = this.context.currentTime - this.startedAt;
    let t = this.startOffset + Math.max(elapsed, 0);
    if (this.looping && this.range && t >= this.range.end) {
      t = this.range.start + (t - this.range.start) % (this.range.end - this.range.start);
    }
    return t;
  }

  get countingIn() {
    return this.playing && this.context !== null && this.context.currentTime < this.startedAt;
  }

  report(text) {
    this.status = text;
    this.onChange();
  }

  // -- transport --------------------------------------------------------------------------------
  toggle() { return this.playing ? this.pause() : this.play(); }

  play() {
    if (this.playing || !AUDIO) return;
    if (this.mode === "master" && !AUDIO.file && this.stems) this.mode = "stems";
    if (this.mode === "master" && !AUDIO.file) {
      this.report(`${AUDIO.named} is not in this folder; load the stems to listen`);
      return;
    }
    const context = this.ensureContext();
    let from = this.position >= LENGTH_S - 0.05 ? 0 : this.position;
    if (this.looping && this.range && (from < this.range.start || from >= this.range.end)) from = this.range.start;
    const at = context.currentTime + START_DELAY_S + this.scheduleCountIn(from, context.currentTime + START_DELAY_S);
    this.start(at, from);
  }

  pause() {
    if (!this.playing) return;
    this.position = Math.min(this.now(), LENGTH_S);
    this.stopSources();
    this.playing = false;
    this.onChange();
  }

  seek(t) {
    const to = Math.max(0, Math.min(t, LENGTH_S));
    if (!this.playing) {
      this.position = to;
      if (this.mode === "master" && AUDIO && AUDIO.file) this.element.currentTime = to;
      this.onChange();
      return;
    }
    this.stopSources();
    this.start(this.context.currentTime + START_DELAY_S, to);
  }

  /** Called every frame while playing: wraps the master's loop and stops at the end. */
  tick() {
    if (!this.playing || this.countingIn) return this.now();
    const t = this.now();
    if (this.mode === "master" && this.looping && this.range && t >= this.range.end) {
      this.element.currentTime = this.range.start;
      return this.range.start;
    }
    const ended = this.mode === "master" ? this.element.ended : t >= this.stemsLength() && !this.looping;
    if (ended) {
      this.stopSources();
      this.playing = false;
      this.position = 0;
      this.onChange();
      return 0;
    }
    return t;
  }

  start(at, from) {
    this.startedAt = at;
    this.startOffset = from;
    this.playing = true;
    if (this.mode === "master") {
      this.element.currentTime = from;
      const wait = Math.max(0, at - this.context.currentTime);
      const begin = () => this.element.play().catch((err) => { this.playing = false; this.report(`cannot play ${AUDIO.file}: ${err.message}`); });
      if (wait > START_DELAY_S) this.pending.push(window.setTimeout(begin, 1000 * (wait - START_DELAY_S)));
      else begin();
    } else {
      for (const [, stem] of this.stems) {
        const source = this.context.createBufferSource();
        source.buffer = stem.buffer;
        if (this.looping && this.range) {
          source.loop = true;
          source.loopStart = this.range.start;
          source.loopEnd = this.range.end;
        }
        source.connect(stem.gain);
        source.start(at, Math.min(from, stem.buffer.duration));
        stem.source = source;
      }
    }
    this.onChange();
  }

  stopSources() {
    for (const item of this.pending) {
      if (typeof item === "number") window.clearTimeout(item); else item.stop();
    }
    this.pending = [];
    this.element.pause();
    if (this.stems) {
      for (const [, stem] of this.stems) {
        if (stem.source) { stem.source.stop(); stem.source.disconnect(); stem.source = null; }
      }
    }
  }

  restart() {
    if (!this.playing) return;
    const t = this.now();
    this.stopSources();
    this.start(this.context.currentTime + START_DELAY_S, t);
  }

  stemsLength() {
    let longest = 0;
    for (const [, stem] of this.stems || []) longest = Math.max(longest, stem.buffer.duration);
    return longest;
  }

  // -- count-in and loops -----------------------------------------------------------------------
  /** Schedule the count-in's clicks from context time `at`; returns its length in seconds. */
  scheduleCountIn(from, at) {
    if (!this.countIn || !BARS.length) return 0;
    const bar = barAt(from) || (from < BARS[0].start ? BARS[0] : BARS[BARS.length - 1]);
    const beats = beatsIn(bar);
    const beat = (bar.end - bar.start) / beats;
    for (let i = 0; i < this.countIn * beats; i++) this.click(at + i * beat, i % beats === 0);
    return this.countIn * beats * beat;
  }

  click(when, accent) {
    const context = this.context;
    const tone = context.createOscillator();
    const envelope = context.createGain();
    tone.frequency.value = CLICK_HZ[accent ? 0 : 1];
    envelope.gain.setValueAtTime(0.0001, when);
    envelope.gain.exponentialRampToValueAtTime(accent ? 0.6 : 0.35, when + 0.002);
    envelope.gain.exponentialRampToValueAtTime(0.0001, when + 0.06);
    tone.connect(envelope).connect(context.destination);
    tone.start(when);
    tone.stop(when + 0.07);
    this.pending.push(tone);
  }

  setRange(range) {
    this.range = range;
    this.looping = range !== null;
    this.restart();
    this.onChange();
  }

  toggleLoop(fallback) {
    if (!this.range && fallback) this.range = fallback;
    this.looping = !this.looping && this.range !== null;
    this.restart();
    this.onChange();
  }

  // -- stems ------------------------------------------------------------------------------------
  setMode(mode) {
    if (mode === this.mode || (mode === "stems" && !this.stems)) return;
    const playing = this.playing;
    const t = this.now();
    this.stopSources();
    this.playing = false;
    this.mode = mode;
    this.position = t;
    if (playing) this.start(this.context.currentTime + START_DELAY_S, t);
    this.onChange();
  }

  toggleMute(name) {
    if (this.muted.has(name)) this.muted.delete(name); else this.muted.add(name);
    this.mixChanged();
  }

  toggleSolo(name) {
    if (this.soloed.has(name)) this.soloed.delete(name); else this.soloed.add(name);
    this.mixChanged();
  }

  mixChanged() {
    if (this.stems) {
      const now = this.context.currentTime;
      for (const [name, stem] of this.stems) stem.gain.gain.setTargetAtTime(this.audible(name) ? 1 : 0, now, 0.01);
      if (this.muted.size || this.soloed.size) this.setMode("stems");
    }
    this.onChange();
  }

  ensureContext() {
    if (!this.context) {
      try {
        this.context = new AudioContext({ latencyHint: "interactive", sampleRate: AUDIO.sample_rate || undefined });
      } catch (err) {
        this.context = new AudioContext({ latencyHint: "interactive" });  // a rate this device cannot run
      }
    }
    if (this.context.state === "suspended") this.context.resume();
    return this.context;
  }

  /**
   * Decode the stems into Web Audio. `files` maps each stem's name in the report ("stems/bass.wav")
   * to a File the reader chose; without it the stems are fetched by relative URL (http and https only:
   * browsers do not let a file:// page read other files).
   */
  async loadStems(files) {
    const context = this.ensureContext();
    const stems = new Map();
    let done = 0;
    for (const track of STEMS) {
      this.report(`decoding ${track.stem.file} (${++done} of ${STEMS.length})\u2026`);
      const file = files ? files.get(track.stem.file) : null;
      if (files && !file) throw new Error(`${track.stem.file} is not in the folder chosen`);
      const bytes = file ? await file.arrayBuffer() : await fetchBytes(fileUrl(track.stem.file));
      const buffer = await context.decodeAudioData(bytes);
      const gain = context.createGain();
      const meter = context.createAnalyser();
      meter.fftSize = 1024;
      gain.gain.value = this.audible(track.name) ? 1 : 0;
      gain.connect(meter).connect(context.destination);
      stems.set(track.name, { buffer, gain, meter, source: null });
    }
    this.stems = stems;
    this.report(`${stems.size} stems loaded: mute and solo work now`);
    if (this.muted.size || this.soloed.size) this.setMode("stems");
  }

  /** Each stem's level now (peak of the last few milliseconds after its gain), 0..1. */
  levels() {
    const levels = new Map();
    if (!this.stems) return levels;
    const samples = new Float32Array(1024);
    for (const [name, stem] of this.stems) {
      stem.meter.getFloatTimeDomainData(samples);
      let peak = 0;
      for (const v of samples) peak = Math.max(peak, Math.abs(v));
      levels.set(name, peak);
    }
    return levels;
  }

  /** The Web Audio graph as it is now, for tests and tools: each stem's gain value and level. */
  graph() {
    const stems = {};
    const levels = this.levels();
    for (const [name, stem] of this.stems || []) {
      stems[name] = { gain: stem.gain.gain.value, audible: this.audible(name), level: levels.get(name),
        playing: stem.source !== null };
    }
    return { mode: this.mode, state: this.context ? this.context.state : "none", stems };
  }
}

async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
  return response.arrayBuffer();
}
