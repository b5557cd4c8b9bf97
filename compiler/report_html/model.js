// model.js: the build's data (report.json + song.mid, as report_html/data.py laid it out) and the
// lookups every view shares. Times are seconds from the start of song.mid.

const DATA = JSON.parse(document.getElementById("song-data").textContent);
const AUDIO = DATA.audio;                       // null for a MIDI-only build
const ENVELOPE = AUDIO ? AUDIO.envelope : null;
const BARS = DATA.bars.map(([start, end, num, den], index) => ({ number: index + 1, index, start, end, num, den }));
const SECTIONS = DATA.sections.map((section, index) => ({ ...section, index, start: section.start_s }));
const TRACKS = DATA.tracks.map((track, index) => ({ ...track, index }));
const STEMS = TRACKS.filter((track) => track.stem && track.stem.file);
const LENGTH_S = Math.max(
  DATA.duration_s,
  BARS.length ? BARS[BARS.length - 1].end : 0,
  AUDIO && AUDIO.duration_s ? AUDIO.duration_s : 0,
  ENVELOPE ? ENVELOPE.peak.length * ENVELOPE.hop_s : 0,
  0.001,
);
const SHORT_TERM_S = 3;  // the short-term loudness window (EBU R128)
const MINUS = "\u2212";

const chordsByBar = new Map();
for (const [bar, beat, symbol, start] of DATA.chords) {
  if (!chordsByBar.has(bar)) chordsByBar.set(bar, []);
  chordsByBar.get(bar).push({ bar, beat, symbol, start });
}

/** The index of the last item whose `start` is at or before `t` (-1 before the first). */
function indexAt(items, t) {
  let low = 0, high = items.length - 1, found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (items[mid].start <= t + 1e-6) { found = mid; low = mid + 1; } else { high = mid - 1; }
  }
  return found;
}

/** The bar playing at `t`, or null in a count-in or after the music. */
function barAt(t) {
  const index = indexAt(BARS, t);
  return index >= 0 && t < BARS[index].end ? BARS[index] : null;
}

function sectionAt(t) {
  const index = indexAt(SECTIONS, t);
  return index >= 0 ? SECTIONS[index] : null;
}

/** Felt beats in a bar: compound meters (6/8, 9/8, 12/8) count dotted quarters, as the click does. */
function beatsIn(bar) {
  return bar.den >= 8 && bar.num % 3 === 0 && bar.num > 3 ? bar.num / 3 : bar.num;
}

function sectionName(section) {
  return section.pass > 1 ? `${section.label} (${section.pass})` : section.label;
}

function barsText(first, last) {
  return first === last ? `bar ${first}` : `bars ${first}\u2013${last}`;
}

function formatTime(t) {
  const sign = t < 0 ? MINUS : "";
  const whole = Math.abs(t);
  const minutes = Math.floor(whole / 60);
  const seconds = (whole - 60 * minutes).toFixed(1).padStart(4, "0");
  return `${sign}${minutes}:${seconds}`;
}

/** A level with a real minus sign and one decimal, or "–" when not measured (silence). */
function formatLevel(value, unit) {
  if (value === null || value === undefined) return "\u2013";
  const text = Math.abs(value).toFixed(1);
  return `${value < 0 && text !== "0.0" ? MINUS : ""}${text} ${unit}`;
}

function median(values) {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * The master's loudness over one section pass: the median short-term value of the windows inside
 * it (as the report measures sections); a section shorter than one window takes the windows that
 * end inside it.
 */
function sectionLoudness(section) {
  if (!ENVELOPE) return null;
  const hop = ENVELOPE.hop_s;
  const values = ENVELOPE.short_term_lufs;
  const pick = (from) => {
    const picked = [];
    for (let j = Math.ceil(from / hop - 1 - 1e-6); j < values.length && (j + 1) * hop <= section.end_s + 1e-6; j++) {
      if (j >= 0 && values[j] !== null) picked.push(values[j]);
    }
    return picked;
  };
  const inside = pick(section.start_s + SHORT_TERM_S);
  return median(inside.length ? inside : pick(section.start_s));
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** A DOM element: `h("button", {class: "x", onclick: f}, "text", child)`. */
function h(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  return fill(node, attributes, children);
}

function s(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  return fill(node, attributes, children);
}

function fill(node, attributes, children) {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

/** A relative URL for a file the report names ("stems/lead guitar.wav"), each part escaped. */
function fileUrl(name) {
  return name.split("/").map(encodeURIComponent).join("/");
}
