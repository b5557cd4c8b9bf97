// page.js: wires the views to the player: buttons, the keyboard, choosing the build folder (or
// dropping it on the page), and one animation loop that moves the play head while music plays.

const FILE_PAGE = location.protocol === "file:";

const player = new Player(() => update());
let anchorBar = null;   // the bar a Shift+choice extends a loop range from
let shownBar = -1;

const actions = {
  seek: (t) => { player.seek(t); frame(true); },
  chooseBar(bar, extend) {
    if (extend && anchorBar) {
      const first = Math.min(anchorBar.index, bar.index), last = Math.max(anchorBar.index, bar.index);
      player.setRange({ start: BARS[first].start, end: BARS[last].end, name: barsText(first + 1, last + 1) });
      player.seek(BARS[first].start);
    } else {
      anchorBar = bar;
      player.seek(bar.start);
    }
    frame(true);
  },
  loopSection(section) {
    player.setRange(sectionRange(section));
    player.seek(section.start_s);
    frame(true);
  },
  toggleMute: (name) => { player.toggleMute(name); promptForStems(); },
  toggleSolo: (name) => { player.toggleSolo(name); promptForStems(); },
};

function sectionRange(section) {
  return { start: section.start_s, end: section.end_s, name: `${sectionName(section)}, ${barsText(section.first_bar, section.last_bar)}` };
}

renderHeader();
renderForm(actions);
const barButtons = renderChart(actions);
const timeline = new Timeline(actions);
const partControls = renderParts(actions);
const ui = {
  play: document.getElementById("play"), loop: document.getElementById("loop"), range: document.getElementById("loop-range"),
  countIn: document.getElementById("count-in"), position: document.getElementById("position"),
  status: document.getElementById("player-status"), load: document.getElementById("load-stems"),
  folder: document.getElementById("stems-folder"), hint: document.getElementById("source-hint"),
  sources: [...document.querySelectorAll('input[name="source"]')],
};

if (!AUDIO) {
  document.getElementById("player").hidden = true;
  document.getElementById("form-hint").textContent = "The sections as played.";
} else {
  ui.play.addEventListener("click", () => player.toggle());
  document.getElementById("rewind").addEventListener("click", () => actions.seek(0));
  ui.loop.addEventListener("click", () => player.toggleLoop(currentSectionRange()));
  ui.countIn.addEventListener("change", () => { player.countIn = +ui.countIn.value; });
  for (const radio of ui.sources) radio.addEventListener("change", () => player.setMode(radio.value));
  ui.load.addEventListener("click", () => (FILE_PAGE ? ui.folder.click() : loadStems(null)));
  ui.folder.addEventListener("change", () => loadStems(chosenFiles(ui.folder.files)));
  document.addEventListener("dragover", (event) => { event.preventDefault(); });
  document.addEventListener("drop", dropped);
  ui.hint.textContent = !STEMS.length ? "this build has no stem files"
    : FILE_PAGE ? "to mute or solo, choose this build folder (browsers let a page read files only when you choose them)" : "";
  if (!STEMS.length) ui.load.hidden = true;
}
document.getElementById("zoom-in").addEventListener("click", () => timeline.zoomBy(1.5));
document.getElementById("zoom-out").addEventListener("click", () => timeline.zoomBy(1 / 1.5));
document.getElementById("zoom-fit").addEventListener("click", () => timeline.fit());
document.addEventListener("keydown", keyPressed);
window.addEventListener("resize", () => { if (timeline.pps <= timeline.fitPps() * 1.001) timeline.fit(); });

function currentSectionRange() {
  const section = sectionAt(player.now()) || SECTIONS[0];
  return section ? sectionRange(section) : null;
}

function promptForStems() {
  if (!player.canUseStems && STEMS.length) {
    if (FILE_PAGE) player.report("mute and solo play the stems: choose this build folder with \u201cLoad the stems\u2026\u201d");
    else loadStems(null);
  }
}

/** The chosen files by the names the report gives them: "stems/bass.wav" matches ".../stems/bass.wav". */
function chosenFiles(list) {
  const byName = new Map();
  const wanted = STEMS.map((track) => track.stem.file);
  for (const file of list) {
    const path = file.webkitRelativePath || file.name;
    const name = wanted.find((w) => path === w || path.endsWith(`/${w}`) || (!path.includes("/") && w.endsWith(`/${path}`)));
    if (name && !byName.has(name)) byName.set(name, file);
  }
  return byName;
}

async function dropped(event) {
  event.preventDefault();
  if (!AUDIO || !STEMS.length) return;
  const entries = [...event.dataTransfer.items].map((item) => item.webkitGetAsEntry && item.webkitGetAsEntry()).filter(Boolean);
  const files = [];
  const walk = async (entry, path) => {
    if (entry.isFile) {
      const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
      files.push({ file, path: path + entry.name });
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (let batch = await readBatch(reader); batch.length; batch = await readBatch(reader)) {
        for (const child of batch) await walk(child, `${path}${entry.name}/`);
      }
    }
  };
  for (const entry of entries) await walk(entry, "");
  const named = files.map(({ file, path }) => Object.defineProperty(file, "webkitRelativePath", { value: path, configurable: true }));
  loadStems(chosenFiles(named.length ? named : event.dataTransfer.files));
}

function readBatch(reader) {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

let loading = null;  // the load in progress: a second request (another mute) waits for it

function loadStems(files) {
  if (!loading) loading = load(files).finally(() => { loading = null; });
  return loading;
}

async function load(files) {
  ui.load.disabled = true;
  try {
    await player.loadStems(files);
    ui.sources.forEach((radio) => { radio.disabled = false; });
    ui.load.hidden = true;
    ui.hint.textContent = "";
  } catch (err) {
    player.report(`the stems could not be loaded: ${err.message}`);
    ui.load.disabled = false;
  }
}

function keyPressed(event) {
  const target = event.target;
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (target.closest && target.closest("input, select, textarea, [contenteditable]") && event.key !== "Escape") return;
  const key = event.key;
  const digit = /^Digit([1-9])$/.exec(event.code);
  const handled = (() => {
    if (key === "?") { const help = document.getElementById("shortcuts"); help.open = !help.open; return true; }
    if (key === "+" || key === "=") { timeline.zoomBy(1.5); return true; }
    if (key === "-" || key === "_") { timeline.zoomBy(1 / 1.5); return true; }
    if (key === "0") { timeline.fit(); return true; }
    if (!AUDIO) return false;
    if (key === " " || key === "Spacebar") { player.toggle(); return true; }
    if (key === "l" || key === "L") { player.toggleLoop(currentSectionRange()); return true; }
    if (key === "c" || key === "C") { ui.countIn.value = String((+ui.countIn.value + 1) % 3); player.countIn = +ui.countIn.value; update(); return true; }
    if (key === "m" || key === "M") { player.setMode(player.mode === "master" ? "stems" : "master"); return true; }
    if (key === "Home") { actions.seek(0); return true; }
    if ((key === "ArrowLeft" || key === "ArrowRight") && target !== timeline.scroller) { step(key === "ArrowRight" ? 1 : -1, event.shiftKey); return true; }
    if (digit && STEMS[+digit[1] - 1]) {
      const name = STEMS[+digit[1] - 1].name;
      if (event.shiftKey) actions.toggleSolo(name); else actions.toggleMute(name);
      return true;
    }
    return false;
  })();
  if (handled) event.preventDefault();
}

/** Go to the previous or next bar (or section); "previous" from inside one goes to its start first. */
function step(direction, bySection) {
  const t = player.now();
  const items = bySection ? SECTIONS : BARS;
  let index = indexAt(items, t);
  if (direction > 0) index += 1;
  else if (index >= 0 && t - items[index].start < 0.25) index -= 1;
  const item = items[Math.max(0, Math.min(index, items.length - 1))];
  if (item) actions.seek(item.start);
}

/** Reflect the player's state in the controls. */
function update() {
  if (!AUDIO) return;
  ui.play.setAttribute("aria-pressed", String(player.playing));
  ui.loop.setAttribute("aria-pressed", String(player.looping));
  ui.range.textContent = player.range ? `${player.looping ? "looping" : "loop"} ${player.range.name}` : "no range: L loops the section playing";
  timeline.showLoop(player.looping ? player.range : null);
  for (const radio of ui.sources) radio.checked = radio.value === player.mode;
  for (const [name, control] of partControls) {
    control.mute.setAttribute("aria-pressed", String(player.muted.has(name)));
    control.solo.setAttribute("aria-pressed", String(player.soloed.has(name)));
    control.mute.closest("tr").classList.toggle("silent", !player.audible(name));
  }
  ui.status.textContent = player.status;
  frame(true);
}

function frame(force) {
  const t = AUDIO ? player.tick() : 0;
  timeline.showTime(t, player.playing && !force);
  const bar = barAt(t);
  const index = bar ? bar.index : -1;
  if (index !== shownBar) {
    if (barButtons[shownBar]) { barButtons[shownBar].classList.remove("now"); barButtons[shownBar].removeAttribute("aria-current"); }
    if (barButtons[index]) { barButtons[index].classList.add("now"); barButtons[index].setAttribute("aria-current", "true"); }
    shownBar = index;
  }
  if (AUDIO) {
    const label = player.playing ? (player.countingIn ? "Counting in\u2026" : "Pause") : "Play";
    if (ui.play.textContent !== label) ui.play.textContent = label;
    const where = bar ? `bar ${bar.number}` : t < (BARS[0] ? BARS[0].start : 0) ? "count-in" : "end";
    const beat = bar ? ` \u00b7 beat ${1 + Math.floor(beatsIn(bar) * (t - bar.start) / (bar.end - bar.start))}` : "";
    ui.position.textContent = `${where}${beat} \u00b7 ${formatTime(t)} / ${formatTime(LENGTH_S)}`;
    const levels = player.levels();
    for (const [name, control] of partControls) control.meter.value = levels.get(name) || 0;
  }
}

function animate() {
  if (player.playing) frame(false);
  window.requestAnimationFrame(animate);
}

update();
window.requestAnimationFrame(animate);

// For tests and tools driving the page: its data, the player, and the Web Audio graph as it is.
window.songspec = Object.freeze({ data: DATA, player, timeline, graph: () => player.graph(), now: () => player.now() });
