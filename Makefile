# The two commands a newcomer runs (see README.md): `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
export QT_QPA_PLATFORM ?= offscreen

.PHONY: setup demo test bench clean

setup:
	VENV=$(VENV) bash scripts/bootstrap.sh

demo: setup
	$(VENV)/bin/kiosk demo $(DEMO_ARGS)

test: setup
	bash scripts/run-tests.sh $(VENV)

bench: setup
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .import_linter_cache
