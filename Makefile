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
	@# Compile memelite's Tomtom once (numba caches it next to the package): minutes, paid here
	@# instead of inside the first `attnbio motifs` run or the first test that names motifs.
	$(BIN)/python -c "import numpy as np; from attnbio.motifs.annotate import tomtom_pvalues as t; t([np.full((8, 4), .25)], [np.full((8, 4), .25)])"
	touch $@

demo: $(STAMP)
	rm -rf $(OUT)/demo
	$(BIN)/attnbio motifs data/examples/positives.fa.gz --negatives data/examples/negatives.fa.gz \
	    --model attnbio/weights/motifs_example.safetensors --seed 1 -o $(OUT)/demo
	@echo "demo outputs in $(OUT)/demo"

test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider

-include mk/*.mk

models: $(STAMP) $(MODELS)

bench: $(STAMP) $(BENCH)

clean:
	rm -rf $(OUT) .pytest_cache
