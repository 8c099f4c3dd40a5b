# Two commands set everything up on a machine with only python3 (3.11+):
#   make run    create .venv, install, open the dashboard on a sample dataset
#   make test   install runtime + dev requirements, lint, run the whole test suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
HEADLESS ?=

.PHONY: run test lint bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when a requirements file changed (the stamp is newer than both).
$(VENV)/.stamp-run: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.stamp-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.stamp-run

run: $(VENV)/.stamp-run
	$(PY) -m streamlit run app.py --server.port $(PORT) $(if $(HEADLESS),--server.headless true,)

lint: $(VENV)/.stamp-dev
	$(PY) -m ruff check .

test: $(VENV)/.stamp-dev
	$(PY) -m ruff check .
	$(PY) -m pytest

bench: $(VENV)/.stamp-dev
	$(PY) bench/ingest.py
	$(PY) bench/train_speed.py
	$(PY) bench/accuracy.py
	$(PY) bench/backtest_speed.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-output
