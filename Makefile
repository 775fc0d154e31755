# The two commands of the README:
#   make book   set everything up, then build the book into _build/html
#   make test   set everything up, then run the whole test suite
# MNIST is read from $COURSE_AE_DATA; it defaults to ../shared/data/mnist when that exists.
SHELL := /bin/bash
ifeq ($(origin COURSE_AE_DATA), undefined)
  ifneq ($(wildcard ../shared/data/mnist),)
    export COURSE_AE_DATA := $(abspath ../shared/data/mnist)
  endif
endif

.PHONY: book test setup
# A kernel that inherits MPLBACKEND (e.g. Agg) shows no matplotlib figure: it is unset.
book:
	bash scripts/setup.sh book
	rm -rf _build
	env -u MPLBACKEND .venv/bin/jupyter-book build . --all -W -n --keep-going
	@echo "The book is in _build/html: open $(CURDIR)/_build/html/index.html"

test:
	bash scripts/setup.sh test
	.venv/bin/python -m pytest

setup:
	bash scripts/setup.sh test
