"""report.html in headless Chromium (Debian's, installed by `make system`), driven by Playwright.

Every spec's page, from its full build and from a MIDI-only build, loads from file:// with no console
errors and draws what the build holds (one section block per pass, one bar per bar, one note
rectangle per note, the waveform and loudness curve point by point); a screenshot of each is written
to its build folder. A small song's page is played: a chosen bar seeks the audio, the keyboard plays
and loops, the count-in counts, and muting a stem changes the Web Audio graph.
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
from pathlib import Path

import pytest

from compiler.library import Library
from compiler.pipeline import BuildOptions, build
from compiler.report_html import render_page
from compiler.report_html.folder import read_build
from compiler.source import Source

from conftest import ROOT, SPECS

CHROMIUM = Path("/usr/bin/chromium")
# As root, in a sandbox with the network closed: no setuid sandbox, no GPU, nothing phoning home.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 900}
MAX_PAGE_BYTES_PER_3_MINUTES = 2 * 1024 * 1024
README_SPEC = "jazz_ballad"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium package (make system)")

SMALL_SONG = """title "Page check"
style jazz.swing
tempo 180
seed 5
section A
  | Cm7 F7 | Bbmaj7 | Gm7 . . C7 | F6 |
section B
  | Am7b5 | D7 | Gm7 | C7 |
form A B A
"""

# What the page drew, counted in the page itself.
SHAPES = """() => ({
  sections: document.querySelectorAll('#form-map .section-block').length,
  bars: document.querySelectorAll('#chart .bar').length,
  barButtons: document.querySelectorAll('#chart button.bar').length,
  notes: Object.fromEntries([...document.querySelectorAll('svg.roll')].map(svg =>
    [svg.dataset.track, svg.querySelectorAll('rect.note').length])),
  drawnNotes: [...document.querySelectorAll('rect.note')].filter(r => r.getBBox().width > 0).length,
  wave: [...document.querySelectorAll('path.wave')].map(p => +p.dataset.points),
  waveWidth: document.querySelector('path.wave') ? document.querySelector('path.wave').getBBox().width : 0,
  loudness: [...document.querySelectorAll('polyline.short-term')].reduce((n, p) => n + p.points.numberOfItems, 0),
  target: document.querySelectorAll('line.target').length,
  player: document.getElementById('player').getClientRects().length > 0,
})"""


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM), headless=True,
            args=FLAGS, viewport=VIEWPORT)
        yield context
        context.close()


class Page:
    """One report page open in the browser, with every console error, warning and page error it logged."""

    def __init__(self, browser, url: str) -> None:
        self.problems: list[str] = []
        self.page = browser.new_page()
        self.page.on("console", lambda m: self.problems.append(f"{m.type}: {m.text}")
                     if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda err: self.problems.append(f"page error: {err}"))
        self.page.goto(url)
        try:
            self.page.wait_for_function("window.songspec !== undefined", timeout=15_000)
        except Exception as err:  # a script error stops the page before it is ready: show what it logged
            raise AssertionError(f"{url} never got ready: {self.problems}") from err

    def eval(self, script: str, arg=None):
        return self.page.evaluate(script, arg)

    def close(self) -> None:
        self.page.close()


@pytest.fixture
def opened(browser):
    pages: list[Page] = []

    def open_(url: str) -> Page:
        pages.append(Page(browser, url))
        return pages[-1]

    yield open_
    for page in pages:
        page.close()


def expected_shapes(folder: Path) -> dict:
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    envelope = report["master"]["envelope"] if "master" in report else None
    return {"sections": len(report["sections"]), "bars": report["bars"],
            "notes": {t["name"]: t["notes"] for t in report["tracks"]},
            "wave": [len(envelope["peak"])] if envelope else [],
            "loudness": sum(v is not None for v in envelope["short_term_lufs"]) if envelope else 0,
            "duration_s": report["duration_s"]}


def check_page(opened, folder: Path, *, audio: bool) -> dict:
    """Open the folder's page from file://, check what it drew against its report, screenshot it."""
    page = opened((folder / "report.html").as_uri())
    shapes = page.eval(SHAPES)
    expected = expected_shapes(folder)
    assert not page.problems, page.problems
    assert shapes["sections"] == expected["sections"] > 0
    assert shapes["bars"] == expected["bars"] > 0
    assert shapes["notes"] == expected["notes"]
    assert shapes["drawnNotes"] == sum(expected["notes"].values()) > 0
    assert shapes["wave"] == expected["wave"] and shapes["loudness"] == expected["loudness"]
    assert shapes["player"] is audio and shapes["barButtons"] == (expected["bars"] if audio else 0)
    if audio:
        assert shapes["waveWidth"] > 0.9 * expected["duration_s"] and shapes["target"] == 1
        assert expected["wave"][0] > 0 and expected["loudness"] > 0
    assert render_page(read_build(folder)) == (folder / "report.html").read_bytes()  # = `song report`
    size = (folder / "report.html").stat().st_size
    assert size <= MAX_PAGE_BYTES_PER_3_MINUTES * max(1.0, expected["duration_s"] / 180)
    if audio:
        page.page.screenshot(path=str(folder / "report.png"), full_page=True)
    return shapes


@pytest.mark.parametrize("spec", SPECS, ids=[s.stem for s in SPECS])
def test_every_spec_page_draws_its_build(spec, built, opened):
    folder, _ = built(spec)
    check_page(opened, folder, audio=True)
    assert (folder / "report.png").stat().st_size > 10_000


@pytest.mark.parametrize("spec", SPECS, ids=[s.stem for s in SPECS])
def test_every_spec_midi_only_page_draws_without_audio(spec, tmp_path, opened):
    folder = tmp_path / spec.stem
    build(Source.read(spec), Library(), folder, BuildOptions(midi_only=True))
    check_page(opened, folder, audio=False)


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    """A full build of a 12-bar song at 180 bpm (a bar is 1.33 s), to play with."""
    root = tmp_path_factory.mktemp("small")
    song = root / "page_check.song"
    song.write_text(SMALL_SONG, encoding="utf-8")
    build(Source.read(song), Library(), root / "out")
    return root / "out"


def bar_start(page: Page, number: int) -> float:
    return page.eval("n => songspec.data.bars[n - 1][0]", number)


def test_choosing_a_bar_seeks_the_audio(small, opened):
    page = opened((small / "report.html").as_uri())
    page.page.click('#chart button.bar[data-bar="6"]')
    start = bar_start(page, 6)
    assert page.eval("document.getElementById('master-audio').currentTime") == pytest.approx(start, abs=0.01)
    assert page.eval("songspec.now()") == pytest.approx(start, abs=0.01)
    assert page.eval("document.querySelector('#chart .bar.now').dataset.bar") == "6"
    assert page.page.get_attribute('#chart .bar[data-bar="6"]', "aria-current") == "true"
    left = float(page.eval("document.querySelector('.playhead').style.left").rstrip("%"))
    assert left == pytest.approx(100 * start / page.eval("songspec.timeline.plot.offsetWidth / songspec.timeline.pps"),
                                 abs=0.2)
    page.page.click('#form-map .section-block:nth-child(2) button.go')  # B
    assert page.eval("songspec.now()") == pytest.approx(bar_start(page, 5), abs=0.01)
    assert not page.problems, page.problems


def test_keyboard_plays_pauses_and_steps(small, opened):
    page = opened((small / "report.html").as_uri())
    page.page.keyboard.press("ArrowRight")  # from the lead-in to bar 1, then on
    assert page.eval("songspec.now()") == pytest.approx(bar_start(page, 1), abs=0.01)
    page.page.keyboard.press("ArrowRight")
    page.page.keyboard.press("ArrowRight")
    assert page.eval("songspec.now()") == pytest.approx(bar_start(page, 3), abs=0.01)
    page.page.keyboard.press("ArrowLeft")
    assert page.eval("songspec.now()") == pytest.approx(bar_start(page, 2), abs=0.01)
    page.page.keyboard.press("Shift+ArrowRight")
    assert page.eval("songspec.now()") == pytest.approx(bar_start(page, 5), abs=0.01)
    page.page.keyboard.press("Space")
    page.page.wait_for_timeout(700)
    assert page.eval("songspec.player.playing") is True
    assert page.eval("document.getElementById('master-audio').currentTime") > bar_start(page, 5) + 0.3
    assert page.page.text_content("#play") == "Pause"
    page.page.keyboard.press("Space")
    assert page.eval("songspec.player.playing") is False
    assert "bar 5" in page.page.text_content("#position")
    page.page.keyboard.press("Home")
    assert page.eval("songspec.now()") == 0
    assert not page.problems, page.problems


def test_a_bar_range_loops_and_the_count_in_counts(small, opened):
    page = opened((small / "report.html").as_uri())
    page.page.click('#chart button.bar[data-bar="2"]')
    page.page.click('#chart button.bar[data-bar="2"]', modifiers=["Shift"])
    start, end = bar_start(page, 2), bar_start(page, 3)
    assert page.page.get_attribute("#loop", "aria-pressed") == "true"
    assert "bar 2" in page.page.text_content("#loop-range")
    page.page.select_option("#count-in", "1")
    page.page.click("#play")
    assert page.eval("songspec.player.countingIn") is True
    assert page.page.text_content("#play") == "Counting in…"
    page.page.wait_for_timeout(1300)  # a 4/4 bar at 180 bpm: 1.33 s of clicks
    positions = []
    for _ in range(30):  # 3 s: the 1.33 s loop comes round twice
        positions.append(page.eval("songspec.now()"))
        page.page.wait_for_timeout(100)
    assert page.eval("songspec.player.countingIn") is False
    assert all(start - 0.01 <= t <= end + 0.06 for t in positions), positions
    assert any(b < a for a, b in zip(positions, positions[1:])), "the loop never came round"
    page.page.keyboard.press("l")
    assert page.page.get_attribute("#loop", "aria-pressed") == "false"
    assert not page.problems, page.problems


def test_muting_a_stem_changes_the_web_audio_graph(small, opened):
    page = opened((small / "report.html").as_uri())
    page.page.set_input_files("#stems-folder", str(small))  # a file:// page reads only what the reader chooses
    page.page.wait_for_function("songspec.player.canUseStems", timeout=30_000)
    names = sorted(page.eval("Object.keys(songspec.graph().stems)"))
    assert names == sorted(Path(s["file"]).stem for s in json.loads((small / "report.json").read_text())["stems"])
    page.page.click('#chart button.bar[data-bar="5"]')
    page.page.check('input[name="source"][value="stems"]')
    page.page.click("#play")
    before = loudest_levels(page)
    assert all(before[name] > 1e-3 for name in names), before
    page.page.click('button[aria-label="Mute bass"]')
    page.page.wait_for_timeout(150)
    graph = page.eval("songspec.graph()")
    assert graph["mode"] == "stems" and graph["stems"]["bass"]["gain"] < 1e-3 and not graph["stems"]["bass"]["audible"]
    after = loudest_levels(page)
    assert after["bass"] < 1e-4 and after["drums"] > 1e-3, after
    assert page.page.get_attribute('button[aria-label="Mute bass"]', "aria-pressed") == "true"
    page.page.keyboard.press("Shift+Digit1")  # solo part 1, the drums
    page.page.wait_for_timeout(150)
    soloed = page.eval("songspec.graph()")["stems"]
    assert [name for name in names if soloed[name]["gain"] > 0.999] == ["drums"]
    page.page.keyboard.press("m")  # back to the master
    assert page.eval("songspec.graph().mode") == "master"
    assert page.eval("Object.values(songspec.graph().stems).every(s => !s.playing)")
    assert page.eval("songspec.player.playing") is True
    assert not page.problems, page.problems


def test_dropping_the_stem_files_on_the_page_loads_them(small, opened):
    page = opened((small / "report.html").as_uri())
    page.eval("() => document.body.append(Object.assign(document.createElement('input'), {type: 'file', multiple: true, id: 'probe'}))")
    page.page.set_input_files("#probe", sorted(str(p) for p in (small / "stems").glob("*.flac")))
    page.eval("""() => {
      const files = new DataTransfer();
      for (const file of document.getElementById('probe').files) files.items.add(file);
      document.dispatchEvent(new DragEvent('drop', {dataTransfer: files, bubbles: true, cancelable: true}));
    }""")
    page.page.wait_for_function("songspec.player.canUseStems", timeout=30_000)
    tracks = [p for p in (small / "stems").glob("*.flac") if p.name != "reverb.flac"]  # the return is not a part
    assert page.eval("Object.keys(songspec.graph().stems).length") == len(tracks)
    assert page.page.is_enabled('input[name="source"][value="stems"]')
    assert not page.problems, page.problems


def loudest_levels(page: Page, samples: int = 8) -> dict[str, float]:
    """Each stem's loudest meter reading over `samples` frames 50 ms apart."""
    levels: dict[str, float] = {}
    for _ in range(samples):
        page.page.wait_for_timeout(50)
        for name, stem in page.eval("songspec.graph().stems").items():
            levels[name] = max(levels.get(name, 0.0), stem["level"] or 0.0)
    return levels


def test_over_http_the_stems_are_fetched_when_a_part_is_muted(small, opened):
    handler = functools.partial(_QuietHandler, directory=str(small))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            page = opened(f"http://127.0.0.1:{server.server_address[1]}/report.html")
            assert page.eval("getComputedStyle(document.getElementById('load-stems')).display") != "none"
            page.page.click('button[aria-label="Mute piano"]')
            page.page.wait_for_function("songspec.player.canUseStems", timeout=30_000)
            assert page.eval("songspec.graph().mode") == "stems"
            assert page.eval("songspec.graph().stems.piano.gain") == 0
            assert not page.problems, page.problems
        finally:
            server.shutdown()
            thread.join(timeout=5)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 — the base class's name
        pass


# WCAG 2 contrast of every visible text against the background it sits on: 4.5:1, or 3:1 for large text.
LOW_CONTRAST = """() => {
  const channels = (colour) => (colour.match(/[\\d.]+/g) || []).map(Number);
  const luminance = (rgb) => rgb.slice(0, 3).map((v) => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
    .reduce((sum, v, i) => sum + [0.2126, 0.7152, 0.0722][i] * v, 0);
  const behind = (node) => {
    for (let e = node; e; e = e.parentElement) {
      const c = channels(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || c[3] > 0.5) return c;
    }
    return [255, 255, 255];
  };
  const low = [];
  for (const node of document.querySelectorAll("body *")) {
    const style = getComputedStyle(node);
    const text = [...node.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!text || !node.getClientRects().length || style.visibility === "hidden" || node.closest(":disabled")) continue;
    const [light, dark] = [luminance(channels(style.color)), luminance(behind(node))].sort((a, b) => b - a);
    const ratio = (light + 0.05) / (dark + 0.05);
    const size = parseFloat(style.fontSize), large = size >= 24 || (size >= 18.66 && +style.fontWeight >= 700);
    if (ratio < (large ? 3 : 4.5)) low.push(`${node.tagName}.${node.className} ${ratio.toFixed(2)}: ${node.textContent.trim().slice(0, 30)}`);
  }
  return low;
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_has_enough_contrast(scheme, small, opened):
    page = opened((small / "report.html").as_uri())
    page.page.emulate_media(color_scheme=scheme)
    page.page.click('#chart button.bar[data-bar="3"]')  # the bar playing has its own background
    page.page.keyboard.press("l")  # and a pressed button its own colours
    page.page.click('button[aria-label="Mute bass"]')
    assert page.eval(LOW_CONTRAST) == []


def test_the_page_is_usable_from_the_keyboard_alone(small, opened):
    page = opened((small / "report.html").as_uri())
    unnamed = page.eval("""() => [...document.querySelectorAll('button, select, input:not([hidden]), [tabindex]')]
        .filter(e => !e.hidden && !(e.getAttribute('aria-label') || e.textContent.trim() || e.labels && e.labels.length))
        .map(e => e.outerHTML.slice(0, 80))""")
    assert unnamed == []
    page.page.focus('#chart button.bar[data-bar="3"]')
    page.page.keyboard.press("Enter")
    assert page.eval("songspec.now()") == pytest.approx(bar_start(page, 3), abs=0.01)
    page.page.keyboard.press("c")
    assert page.page.input_value("#count-in") == "1"
    assert page.eval("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.page.focus("#loop")
    page.page.keyboard.press("Space")  # plays, and does not press the focused button
    assert page.eval("songspec.player.playing") is True
    assert page.page.get_attribute("#loop", "aria-pressed") == "false"


def test_readme_screenshot(opened, request, tmp_path, monkeypatch):
    """docs/report.png is the page of a real build; `pytest --update-goldens` takes it again."""
    shot = ROOT / "docs" / "report.png"
    if request.config.getoption("--update-goldens"):
        monkeypatch.chdir(ROOT)  # the page shows the song's path as given: specs/…, as a reader would type it
        folder = tmp_path / README_SPEC
        build(Source.read(f"specs/{README_SPEC}.song"), Library(), folder)
        page = opened((folder / "report.html").as_uri())
        page.page.click('#chart button.bar[data-bar="13"]')
        page.page.screenshot(path=str(folder / "readme.png"), full_page=True)
        shutil.copyfile(folder / "readme.png", shot)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.name in (ROOT / "README.md").read_text(encoding="utf-8")
