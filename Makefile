# songspec — the two set-up commands: `make demo` and `make test`.
# Both install everything first (Debian packages, then a .venv), so a fresh machine needs nothing else.

VENV    := .venv
PY      := $(VENV)/bin/python
SONG    := $(VENV)/bin/song
STAMP   := $(VENV)/.installed
DEB_PKGS := libfluidsynth3 fluid-soundfont-gm musescore-general-soundfont-lossless fluidsynth ffmpeg chromium fonts-dejavu-core
SPECS   := $(sort $(wildcard specs/*.song))
VSCODE  := editors/vscode
VSCODE_STAMP := $(VSCODE)/node_modules/.installed

.PHONY: setup system editors vsix demo test bench clean

setup: system $(STAMP)

# System libraries the audio stages load: FluidSynth (libfluidsynth3 + CLI for the benchmark),
# the default SoundFonts (MuseScore General for pitched parts, FluidR3 for drum kits: README, "How the
# sounds were chosen"), and ffmpeg as the independent loudness meter in tests;
# Chromium (with a font for its text) loads each build's report.html in the page tests.
system:
	@if ! dpkg -s $(DEB_PKGS) >/dev/null 2>&1; then \
		echo "installing Debian packages: $(DEB_PKGS)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DEB_PKGS) >/dev/null; \
	fi

# The VS Code extension's npm packages, as package-lock.json pins them: `npm ci` reads the registry here
# and nowhere else (the grammar tests and the .vsix build then run offline). Node and npm come from
# Debian when the machine has no npm.
editors: $(VSCODE_STAMP)

$(VSCODE_STAMP): $(VSCODE)/package.json $(VSCODE)/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "installing Debian packages: nodejs npm"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null; }
	cd $(VSCODE) && npm ci --no-audit --no-fund
	touch $@

# The extension as editors/vscode/songspec.vsix (`code --install-extension` installs it).
vsix: $(VSCODE_STAMP)
	cd $(VSCODE) && npm run package -- --out songspec.vsix

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip setuptools wheel
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

# Check every spec, then build each into out/<name>/ (MIDI, stems, mastered mix, report).
demo: setup
	$(SONG) check $(SPECS)
	@for spec in $(SPECS); do \
		$(SONG) build "$$spec" -o "out/$$(basename $$spec .song)" --quiet || exit 1; \
	done

# pytest exits 5 when it collected nothing: that is a broken suite, not a pass.
test: setup editors
	@$(PY) -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; \
	exit $$status

bench: setup
	$(PY) -m bench

clean:
	rm -rf out build *.egg-info
