# Two commands do all set-up on a fresh machine (Python >= 3.11 and pip; no conda needed):
#   make book   -> .venv, install, fetch and verify the data, execute the notebooks, build _build/html
#   make test   -> .venv, install, fetch, unit tests, nbval over notebooks/, book build + browser check, PDF
#   make pdf    -> the whole book as one PDF, _build/pdf/book.pdf (the archived form; see book/cite.md)
# FLAWS_MIRROR=/path/to/mirror makes `flaws fetch` copy from a local mirror instead of downloading.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JB_FLAGS ?= -W --keep-going
PYTEST_FLAGS ?=

.PHONY: all env data book pdf test unit nbval browser lab notebooks constraints clean

all: book

env: $(STAMP)

# Install with the tested versions of constraints.txt (regenerate with `make constraints`).
$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "flaws needs Python >= 3.11, found " + sys.version.split()[0]'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[book,test]'
	touch $@

data: $(STAMP)
	$(BIN)/flaws fetch

book: data
	$(BIN)/jupyter-book build . $(JB_FLAGS)
	@echo "The book is in _build/html/index.html"

unit: data
	$(BIN)/python -m pytest tests $(PYTEST_FLAGS)

nbval: data
	$(BIN)/python -m pytest --nbval notebooks --nbval-sanitize-with notebooks/nbval_sanitize.cfg -p no:cacheprovider $(PYTEST_FLAGS)

# The book as one PDF: Sphinx's singlehtml build (what Jupyter Book's pdfhtml builder prints), then
# printed by the system Chromium (flaws.bookpdf; jupyter-book's own pdfhtml wants Playwright's
# downloaded browser and writes over _build/html).
pdf: data
	$(BIN)/jupyter-book build . --builder singlehtml $(JB_FLAGS)
	$(BIN)/python -m flaws.bookpdf _build/singlehtml _build/pdf/book.pdf

browser: book
	FLAWS_CHECK_BUILT_BOOK=1 $(BIN)/python -m pytest tests/test_book_browser.py $(PYTEST_FLAGS)

# The test command (README, .ci/run): unit tests, notebooks against their stored outputs, then the
# built book in a real browser, then the PDF (about a minute more: the notebooks are cached by
# then; it fails on a figure that did not load or math left as TeX). pytest's exit code 5 (no
# tests collected) fails the target.
test: unit nbval browser pdf

# Re-execute the stage notebooks in place (after a change to the library or the outcomes).
notebooks: data
	$(BIN)/python -m flaws.nbrun notebooks/0*.ipynb

lab: data
	$(BIN)/jupyter lab notebooks/

constraints: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^flaws' > constraints.txt

clean:
	rm -rf _build .pytest_cache
