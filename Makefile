# The two commands of the README:
#   make book   set everything up, then build the book into _build/html
#   make test   set everything up, then run the whole test suite
# and the release:
#   make pdf      the whole book as one PDF, _build/latex/course-ae.pdf (TeX Live from apt)
#   make release  dist/course-ae-VERSION.zip: the offline HTML, the PDF, the exercises
# MNIST is read from $COURSE_AE_DATA; it defaults to ../shared/data/mnist when that exists.
SHELL := /bin/bash
ifeq ($(origin COURSE_AE_DATA), undefined)
  ifneq ($(wildcard ../shared/data/mnist),)
    export COURSE_AE_DATA := $(abspath ../shared/data/mnist)
  endif
endif
JB := env -u MPLBACKEND .venv/bin/jupyter-book
VERSION = $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)

.PHONY: book pdf release test setup
# A kernel that inherits MPLBACKEND (e.g. Agg) shows no matplotlib figure: it is unset.
# Incremental: a chapter is executed again only when its code changed (jupyter-cache in
# _build/.jupyter_cache); the cache is cleared when course_ae itself changed, and --all
# re-renders every page. A clean clone has no cache and executes everything.
book:
	bash scripts/setup.sh book
	bash scripts/book-cache.sh
	$(JB) build . --all -W -n --keep-going
	@echo "The book is in _build/html: open $(CURDIR)/_build/html/index.html"

pdf:
	bash scripts/setup.sh pdf
	bash scripts/book-cache.sh
	$(JB) build . --all --builder pdflatex -n --keep-going
	@test -f _build/latex/course-ae.pdf
	@if [ -d _build/html ]; then cp _build/latex/course-ae.pdf _build/html/course-ae.pdf; fi
	@echo "The PDF is $(CURDIR)/_build/latex/course-ae.pdf (the HTML book links to a copy of it)"

release: book pdf
	.venv/bin/python scripts/release.py --version $(VERSION) --html _build/html \
	  --pdf _build/latex/course-ae.pdf --out dist

test:
	bash scripts/setup.sh test
	.venv/bin/python -m pytest

setup:
	bash scripts/setup.sh test
