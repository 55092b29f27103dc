# attnbio protein: retrain the bundled weights and run the contact/lens benchmark.
MODELS += models-protein
BENCH += bench-protein
.PHONY: models-protein bench-protein

# Three members trained alike from seeds 0-2, then joined; contacts are ranked by the stacked
# contact head (attnbio.protein.head), fitted on the training chains with each chain's attention
# from one of five inner models that did not train on it (each without one family fold of
# data/protein/folds.tsv); heads and lenses the seed-0 member's (`attnbio train protein` /
# `attnbio train protein-ensemble`). About 8 one-thread trainings of ~1 min. The last step also
# runs on one BLAS thread: with more, the head's coefficients moved in the 13th digit here
# (and one inner lambda score in the 4th).
PROTEIN_SEEDS := 0 1 2
PROTEIN_FOLDS := 1 2 3 4 5
models-protein: $(STAMP)
	for s in $(PROTEIN_SEEDS); do \
	  OMP_NUM_THREADS=1 $(BIN)/attnbio train protein --seed $$s --threads 1 -o build/protein/seed$$s.safetensors || exit 1; \
	done
	for g in $(PROTEIN_FOLDS); do \
	  OMP_NUM_THREADS=1 $(BIN)/attnbio train protein --seed 0 --without-fold $$g --threads 1 \
	    -o build/protein/inner$$g.safetensors || exit 1; \
	done
	OMP_NUM_THREADS=1 $(BIN)/attnbio train protein-ensemble $(foreach s,$(PROTEIN_SEEDS),build/protein/seed$(s).safetensors) \
	  $(foreach g,$(PROTEIN_FOLDS),--inner build/protein/inner$(g).safetensors) --contact-head \
	  --threads 1 -o attnbio/weights/protein.safetensors

bench-protein: $(STAMP)
	OMP_NUM_THREADS=1 $(BIN)/python benchmarks/protein_contacts.py --retrain-seed 1 --threads 2
	$(BIN)/python -m pytest -q -p no:cacheprovider -m slow tests/protein

# Cross-validation over the frozen family folds (data/protein/folds.tsv): every fold's members
# trained from scratch as models-protein trains them (3 per fold) and its 4 inner models for the
# attention cap and the head (35 one-thread trainings of ~1 min, then ~7 min of scoring).
BENCH += bench-protein-families
.PHONY: bench-protein-families
bench-protein-families: $(STAMP)
	OMP_NUM_THREADS=1 $(BIN)/python benchmarks/protein_contacts.py --by-family --members 3 --jobs 2
