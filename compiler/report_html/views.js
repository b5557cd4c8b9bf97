// views.js: what the page shows, drawn once from DATA: the header, the form, the chord chart, the
// timeline (waveform, loudness, piano rolls) and the parts table. Views report what the reader
// chooses through the `actions` they are given; they never play anything themselves.

const ROLE_NAMES = { drums: "drums", bass: "bass", comp: "comping", pad: "pad", melody: "melody", click: "count-in" };
const NOTE_NAMES = ["C", "C\u266f", "D", "E\u266d", "E", "F", "F\u266f", "G", "A\u266d", "A", "B\u266d", "B"];

function noteName(pitch) {
  return `${NOTE_NAMES[pitch % 12]}${Math.floor(pitch / 12) - 1}`;
}

function fact(list, term, ...details) {
  list.append(h("dt", {}, term), h("dd", {}, ...details));
}

function renderHeader() {
  const byline = [DATA.composer, DATA.style && `style ${DATA.style}`, DATA.source].filter(Boolean);
  document.getElementById("song-byline").textContent = byline.join(" \u00b7 ");
  const facts = document.getElementById("song-facts");
  const tempos = DATA.tempos.map(([, bpm]) => bpm);
  const low = Math.min(...tempos), high = Math.max(...tempos);
  fact(facts, "Key", DATA.key || "\u2013");
  fact(facts, "Tempo", low === high ? `${+high.toFixed(1)} bpm` : `${+DATA.tempo.toFixed(1)} bpm (${+low.toFixed(1)}\u2013${+high.toFixed(1)})`);
  fact(facts, "Meter", DATA.time_signature || "\u2013");
  fact(facts, "Bars", String(BARS.length));
  fact(facts, "Length", formatTime(DATA.duration_s));
  const master = document.getElementById("master-facts");
  if (!AUDIO) {
    fact(master, "Audio", "none: a MIDI-only build");
    return;
  }
  const within = (value, target, tolerance) => value !== null && target !== null && Math.abs(value - target) <= tolerance;
  const under = (value, ceiling) => value !== null && ceiling !== null && value <= ceiling;
  fact(master, "Loudness", formatLevel(AUDIO.integrated_lufs, "LUFS"),
    verdict(within(AUDIO.integrated_lufs, AUDIO.target_lufs, 0.5), `target ${formatLevel(AUDIO.target_lufs, "LUFS")}`));
  fact(master, "True peak", formatLevel(AUDIO.true_peak_dbtp, "dBTP"),
    verdict(under(AUDIO.true_peak_dbtp, AUDIO.ceiling_dbtp), `ceiling ${formatLevel(AUDIO.ceiling_dbtp, "dBTP")}`));
  fact(master, "Loudness range", formatLevel(AUDIO.loudness_range_lu, "LU"));
  fact(master, "Sample peak", formatLevel(AUDIO.sample_peak_dbfs, "dBFS"));
}

function verdict(ok, text) {
  return h("span", { class: ok ? "verdict ok" : "verdict off" }, ok ? ` \u2713 ${text}` : ` \u2717 ${text}`);
}

/** The form as played: one block per section pass, as wide as it lasts. */
function renderForm(actions) {
  const map = document.getElementById("form-map");
  for (const section of SECTIONS) {
    const name = sectionName(section);
    const loudness = sectionLoudness(section);
    const where = barsText(section.first_bar, section.last_bar);
    const ending = section.ending ? ` \u00b7 ending ${section.ending}` : "";
    map.append(h("div", {
      class: `section-block kind-${kindOf(section)}`, role: "group", "aria-label": `${name}, ${where}${ending}`,
      style: `flex-grow: ${Math.max(section.end_s - section.start_s, 0.1).toFixed(3)}`, "data-section": section.index,
    },
    h("button", { type: "button", class: "go", onclick: () => actions.seek(section.start_s),
      "aria-label": `Go to ${name}, ${where}${ending}` },
    h("span", { class: "label" }, section.label, section.pass > 1 ? h("span", { class: "pass-no" }, ` (${section.pass})`) : null),
    h("span", { class: "detail" }, where + ending),
    loudness === null ? null : h("span", { class: "detail" }, formatLevel(loudness, "LUFS"))),
    AUDIO ? h("button", { type: "button", class: "loop-it", onclick: () => actions.loopSection(section),
      "aria-label": `Loop ${name}`, title: `Loop ${name}` }, "\u27f2") : null));
  }
}

function kindOf(section) {
  return ["intro", "ending", "tag", "vamp"].includes(section.label) ? section.label : "section";
}

/** The chord chart, bar by bar, one row of bars per section pass, spelled as in the song. */
function renderChart(actions) {
  const chart = document.getElementById("chart");
  const buttons = [];
  for (const section of SECTIONS) {
    const title = h("h3", {}, sectionName(section), " ",
      h("small", {}, barsText(section.first_bar, section.last_bar), section.ending ? ` \u00b7 ending ${section.ending}` : ""));
    const row = h("div", { class: "bars", role: "list" });
    for (let number = section.first_bar; number <= section.last_bar && number <= BARS.length; number++) {
      const button = barButton(BARS[number - 1], section, actions);
      buttons[number - 1] = button;
      row.append(h("div", { role: "listitem" }, button));
    }
    chart.append(h("div", { class: `pass kind-${kindOf(section)}`, "data-section": section.index }, title, row));
  }
  if (!AUDIO) document.getElementById("chart-hint").textContent = "A MIDI-only build: there is no audio to play.";
  return buttons;
}

function barButton(bar, section, actions) {
  const chords = chordsByBar.get(bar.number) || [];
  const columns = 2 * bar.num;  // half-beat cells place a chord on "the and of 2"
  const cells = chords.map((chord, i) => {
    const from = Math.round(2 * (chord.beat - 1)) + 1;
    const to = i + 1 < chords.length ? Math.round(2 * (chords[i + 1].beat - 1)) + 1 : columns + 1;
    return h("span", { class: "chord", style: `grid-column: ${from} / ${Math.max(to, from + 1)}` }, chord.symbol);
  });
  const inEnding = section.ending && bar.number >= section.ending_bar;
  const label = `Bar ${bar.number}${chords.length ? ": " + chords.map((c) => c.symbol).join(", ") : ", chord held"}`;
  const attributes = {
    class: `bar${inEnding ? " ending" : ""}${inEnding && bar.number === section.ending_bar ? " ending-start" : ""}`,
    "data-bar": bar.number, "data-ending": inEnding && bar.number === section.ending_bar ? `${section.ending}.` : null,
    "aria-label": label,
  };
  const hidden = AUDIO ? "true" : null;  // a button is read by its label; a plain cell by its text
  const content = [h("span", { class: "number", "aria-hidden": hidden }, String(bar.number)),
    h("span", { class: "chords", style: `grid-template-columns: repeat(${columns}, 1fr)`, "aria-hidden": hidden }, cells)];
  if (!AUDIO) return h("div", { ...attributes, "aria-label": null }, ...content);
  return h("button", { ...attributes, type: "button", onclick: (event) => actions.chooseBar(bar, event.shiftKey) }, ...content);
}

/** The timeline: a ruler, the waveform and loudness of the master, and a piano roll per part. */
class Timeline {
  constructor(actions) {
    this.scroller = document.getElementById("scroller");
    this.plot = document.getElementById("plot");
    this.names = document.getElementById("lane-names");
    this.ruler = this.lane("ruler", "Sections \u00b7 bars", 34);
    this.drawSections();
    if (ENVELOPE) {
      this.drawWaveform(this.lane("waveform", "Master waveform", 64));
      this.drawLoudness(this.lane("loudness", `Short-term loudness \u00b7 target ${formatLevel(AUDIO.target_lufs, "LUFS")}`, 96));
    }
    this.rolls = TRACKS.map((track) => this.drawRoll(track));
    this.overlay = h("div", { class: "overlay", "aria-hidden": "true" });
    for (const section of SECTIONS) this.overlay.append(h("div", { class: "boundary", style: `left: ${this.percent(section.start_s)}` }));
    this.loopShade = h("div", { class: "loop-shade", hidden: true });
    this.playhead = h("div", { class: "playhead" });
    this.overlay.append(this.loopShade, this.playhead);
    this.plot.append(this.overlay);
    this.plot.addEventListener("click", (event) => {
      if (!AUDIO) return;
      const box = this.plot.getBoundingClientRect();
      actions.seek(Math.max(0, Math.min(LENGTH_S, (event.clientX - box.left) / box.width * LENGTH_S)));
    });
    this.pps = 0;
    this.fit();
  }

  percent(t) {
    return `${(100 * t / LENGTH_S).toFixed(4)}%`;
  }

  lane(kind, name, height) {
    const label = h("div", { class: `lane-name lane-${kind}`, style: `height: ${height}px` }, h("span", {}, name));
    this.names.append(label);
    const lane = h("div", { class: `lane lane-${kind}`, style: `height: ${height}px` });
    this.plot.append(lane);
    return lane;
  }

  svg(lane, height, label) {
    const svg = s("svg", { viewBox: `0 0 ${LENGTH_S} ${height}`, preserveAspectRatio: "none", width: "100%",
      height, role: "img", "aria-label": label });
    lane.append(svg);
    return svg;
  }

  drawSections() {
    for (const section of SECTIONS) {
      this.ruler.append(h("div", { class: `ruler-section kind-${kindOf(section)}`,
        style: `left: ${this.percent(section.start_s)}; width: ${this.percent(section.end_s - section.start_s)}` },
      sectionName(section)));
    }
    this.barLabels = BARS.map((bar) => {
      const label = h("div", { class: "ruler-bar", style: `left: ${this.percent(bar.start)}` }, String(bar.number));
      this.ruler.append(label);
      return label;
    });
  }

  drawWaveform(lane) {
    const height = 64, middle = height / 2, hop = ENVELOPE.hop_s;
    const top = ENVELOPE.peak.map((peak, j) => `${((j + 0.5) * hop).toFixed(3)},${(middle - peak * (middle - 1)).toFixed(2)}`);
    const bottom = ENVELOPE.peak.map((peak, j) => `${((j + 0.5) * hop).toFixed(3)},${(middle + peak * (middle - 1)).toFixed(2)}`).reverse();
    const svg = this.svg(lane, height, `Waveform of the master, ${ENVELOPE.peak.length} steps of ${hop} s`);
    svg.append(s("path", { class: "wave", d: `M${top.join("L")}L${bottom.join("L")}Z`, "data-points": ENVELOPE.peak.length }));
  }

  drawLoudness(lane) {
    const height = 96, values = ENVELOPE.short_term_lufs.filter((v) => v !== null), target = AUDIO.target_lufs;
    const high = Math.max(target ?? -14, ...values) + 3, low = Math.max(Math.min((target ?? -14) - 18, ...values) - 1, -70);
    const y = (v) => (height * (high - v) / (high - low)).toFixed(2);
    const svg = this.svg(lane, height, `Short-term loudness of the master against the target of ${formatLevel(target, "LUFS")}`);
    if (target !== null) svg.append(s("line", { class: "target", x1: 0, x2: LENGTH_S, y1: y(target), y2: y(target) }));
    let run = [];
    const flush = () => {
      if (run.length) svg.append(s("polyline", { class: "short-term", points: run.join(" "), "data-points": run.length }));
      run = [];
    };
    ENVELOPE.short_term_lufs.forEach((value, j) => {
      if (value === null) flush(); else run.push(`${((j + 1) * ENVELOPE.hop_s).toFixed(3)},${y(value)}`);
    });
    flush();
    for (const section of SECTIONS) {
      const level = sectionLoudness(section);
      if (level !== null) {
        svg.append(s("line", { class: "section-level", x1: section.start_s, x2: section.end_s, y1: y(level), y2: y(level) }));
      }
    }
  }

  drawRoll(track) {
    const notes = track.notes;
    let rows, rowOf, rowHeight, names;
    if (track.drums) {
      rowHeight = 12;
      const lanes = new Map(track.lanes.map(([key], i) => [key, i]));
      rows = Math.max(track.lanes.length, 1);
      rowOf = (pitch) => lanes.get(pitch);
      names = track.lanes.map(([, name]) => name);
    } else {
      const pitches = [];
      for (let i = 2; i < notes.length; i += 4) pitches.push(notes[i]);
      const lowest = pitches.length ? Math.min(...pitches) : 60, highest = pitches.length ? Math.max(...pitches) : 60;
      rows = highest - lowest + 1;
      rowHeight = Math.max(2, Math.min(7, Math.floor(150 / rows)));
      rowOf = (pitch) => highest - pitch;
      names = pitches.length ? [noteName(lowest), noteName(highest)] : [];
    }
    const height = Math.max(rows * rowHeight, 24);
    const title = `${track.name}${track.muted ? " (muted in this build)" : ""}`;
    const lane = this.lane("roll", title, height);
    const label = this.names.lastElementChild;
    label.classList.add(track.drums ? "drum-names" : "pitch-names");
    if (track.drums) label.append(h("span", { class: "pieces" }, names.map((name) => h("span", { class: "piece", style: `height: ${rowHeight}px` }, name))));
    else if (names.length) label.append(h("span", { class: "range" }, `${names[0]} \u2013 ${names[1]}`));
    const svg = this.svg(lane, height, `Piano roll of ${track.name}: ${notes.length / 4} notes`);
    svg.classList.add("roll", `role-${track.role}`);
    if (track.muted) svg.classList.add("muted");
    svg.dataset.track = track.name;
    const rects = [];
    for (let i = 0; i < notes.length; i += 4) {
      const rect = s("rect", { class: "note", x: notes[i] / 1000, y: rowOf(notes[i + 2]) * rowHeight + 0.5,
        height: Math.max(rowHeight - 1, 1), "fill-opacity": (0.3 + 0.7 * notes[i + 3] / 127).toFixed(2) });
      rect.dataset.length = notes[i + 1] / 1000;
      rects.push(rect);
    }
    svg.append(...rects);
    return { track, svg, rects };
  }

  /** Zoom to `pps` pixels per second; notes keep at least 2 px so short hits stay visible. */
  zoom(pps) {
    const fit = this.fitPps();
    this.pps = Math.max(fit, Math.min(400, pps));
    this.plot.style.width = `${Math.round(this.pps * LENGTH_S)}px`;
    const least = 2 / this.pps;
    for (const roll of this.rolls) {
      for (const rect of roll.rects) rect.setAttribute("width", Math.max(+rect.dataset.length, least).toFixed(3));
    }
    const every = [1, 2, 4, 8, 16, 32, 64].find((n) => this.pps * (BARS[0] ? (BARS[0].end - BARS[0].start) : 2) * n >= 28) || 64;
    this.barLabels.forEach((label, i) => { label.hidden = (i % every) !== 0; });
  }

  fitPps() {
    return Math.max(1, (this.scroller.clientWidth || 800) - 2) / LENGTH_S;
  }

  fit() { this.zoom(this.fitPps()); }

  zoomBy(factor) {
    const centre = (this.scroller.scrollLeft + this.scroller.clientWidth / 2) / this.pps;
    this.zoom(this.pps * factor);
    this.scroller.scrollLeft = centre * this.pps - this.scroller.clientWidth / 2;
  }

  /** Move the play head; while playing, keep it in view. */
  showTime(t, follow) {
    this.playhead.style.left = this.percent(t);
    if (!follow) return;
    const x = t * this.pps, left = this.scroller.scrollLeft, width = this.scroller.clientWidth;
    if (x < left || x > left + width - 24) this.scroller.scrollLeft = Math.max(0, x - width * 0.2);
  }

  showLoop(range) {
    this.loopShade.hidden = !range;
    if (range) {
      this.loopShade.style.left = this.percent(range.start);
      this.loopShade.style.width = this.percent(range.end - range.start);
    }
  }
}

/** One row per part: its notes and, where there is a stem, mute/solo, a live meter and the stem's figures. */
function renderParts(actions) {
  const table = document.getElementById("parts");
  const extra = [...new Set(STEMS.flatMap((t) => Object.keys(t.stem.figures)))].filter((k) => k !== "peak_dbfs" && k !== "rms_dbfs");
  const audioHeads = AUDIO ? ["Mute", "Solo", "Level", "Peak", "RMS", "In the mix", ...extra.map(figureName)] : [];
  const caption = AUDIO ? "Stem figures are measured after each part's fader, pan and effects, before the master; "
    + "in the mix: RMS against the loudest stem's." : "A MIDI-only build: no stems.";
  table.append(h("caption", {}, caption),
    h("thead", {}, h("tr", {}, ["#", "Part", "Instrument", "Role", "Notes", ...audioHeads].map((name) => h("th", { scope: "col" }, name)))));
  const body = h("tbody");
  const controls = new Map();
  for (const track of TRACKS) {
    const key = STEMS.indexOf(track);
    const cells = [h("td", {}, key >= 0 && key < 9 ? String(key + 1) : ""), h("th", { scope: "row" }, track.name),
      h("td", {}, track.instrument), h("td", {}, ROLE_NAMES[track.role] || track.role), h("td", { class: "number" }, String(track.notes.length / 4))];
    if (AUDIO) cells.push(...stemCells(track, extra, actions, controls));
    body.append(h("tr", { class: track.muted ? "muted" : null }, cells));
  }
  table.append(body);
  return controls;
}

function stemCells(track, extra, actions, controls) {
  const stem = track.stem;
  if (!stem || !stem.file) {
    const why = track.muted ? "muted in this build: no stem" : stem ? `${stem.named} is not in this folder` : "no stem (no notes)";
    return [h("td", { colspan: 6 + extra.length, class: "hint" }, why)];
  }
  const mute = h("button", { type: "button", class: "toggle", "aria-pressed": "false", "aria-label": `Mute ${track.name}`,
    onclick: () => actions.toggleMute(track.name) }, "M");
  const solo = h("button", { type: "button", class: "toggle", "aria-pressed": "false", "aria-label": `Solo ${track.name}`,
    onclick: () => actions.toggleSolo(track.name) }, "S");
  const meter = h("meter", { min: 0, max: 1, value: 0, "aria-label": `${track.name} level` });
  controls.set(track.name, { mute, solo, meter });
  const figures = stem.figures;
  return [h("td", {}, mute), h("td", {}, solo), h("td", {}, meter),
    h("td", { class: "number" }, formatLevel(figures.peak_dbfs, "dBFS")),
    h("td", { class: "number" }, formatLevel(figures.rms_dbfs, "dBFS")),
    h("td", { class: "number" }, balance(figures.rms_dbfs)),
    ...extra.map((k) => h("td", { class: "number" }, formatLevel(figures[k] ?? null, unitOf(k))))];
}

/** A stem's RMS against the loudest stem's, in dB, with a bar as long as its share (40 dB is none). */
function balance(rms) {
  const loudest = Math.max(...STEMS.map((t) => t.stem.figures.rms_dbfs ?? -Infinity));
  if (rms === null || rms === undefined || !Number.isFinite(loudest)) return "\u2013";
  const relative = rms - loudest;
  const share = Math.max(0, 1 + relative / 40);
  return h("span", { class: "balance" },
    h("span", { class: "balance-track", "aria-hidden": "true" }, h("span", { style: `width: ${(100 * share).toFixed(1)}%` })),
    h("span", { class: "balance-value" }, formatLevel(relative, "dB")));
}

function figureName(key) {
  const words = key.replace(/_(dbfs|dbtp|lufs|lu|db)$/, "").replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function unitOf(key) {
  const unit = { dbfs: "dBFS", dbtp: "dBTP", lufs: "LUFS", lu: "LU", db: "dB" }[key.split("_").pop()];
  return unit || "";
}
