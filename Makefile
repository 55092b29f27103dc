# attnbio: `make demo` runs the main job on bundled data with the bundled model; `make test` runs the tests.
# Both create .venv with pinned installs first (CPU build of torch; see requirements.txt).
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
OUT     ?= out
# Each part of the project adds its retraining and benchmark targets in mk/*.mk.
MODELS  :=
BENCH   :=

.PHONY: install demo test models bench clean
install: $(STAMP)

$(STAMP): requirements.txt constraints.txt pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements.txt -c constraints.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@

demo: $(STAMP)
	rm -rf $(OUT)/demo
	$(BIN)/attnbio motifs data/examples/positives.fa --negatives data/examples/negatives.fa \
	    --model attnbio/weights/motifs_example.safetensors --seed 1 -o $(OUT)/demo
	@echo "demo outputs in $(OUT)/demo"

test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider

-include mk/*.mk

models: $(STAMP) $(MODELS)

bench: $(STAMP) $(BENCH)

clean:
	rm -rf $(OUT) .pytest_cache
