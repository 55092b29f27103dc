# attnbio protein: retrain the bundled weights and run the contact/lens benchmark.
MODELS += models-protein
BENCH += bench-protein
.PHONY: models-protein bench-protein

# Three members trained alike from seeds 0-2, then joined: contacts are the members' attention +
# prior blend (the opt-in stacked head, --contact-head, did not help out of family), heads and
# lenses the seed-0 member's (`attnbio train protein` / `attnbio train protein-ensemble`).
PROTEIN_SEEDS := 0 1 2
models-protein: $(STAMP)
	for s in $(PROTEIN_SEEDS); do \
	  OMP_NUM_THREADS=1 $(BIN)/attnbio train protein --seed $$s --threads 1 -o build/protein/seed$$s.safetensors || exit 1; \
	done
	$(BIN)/attnbio train protein-ensemble $(foreach s,$(PROTEIN_SEEDS),build/protein/seed$(s).safetensors) \
	  --threads 1 -o attnbio/weights/protein.safetensors

bench-protein: $(STAMP)
	OMP_NUM_THREADS=1 $(BIN)/python benchmarks/protein_contacts.py --retrain-seed 1 --threads 2
	$(BIN)/python -m pytest -q -p no:cacheprovider -m slow tests/protein

# Cross-validation over the frozen family folds (data/protein/folds.tsv): every fold's members
# trained from scratch as models-protein trains them (3 per fold, about 15 one-thread trainings).
BENCH += bench-protein-families
.PHONY: bench-protein-families
bench-protein-families: $(STAMP)
	OMP_NUM_THREADS=1 $(BIN)/python benchmarks/protein_contacts.py --by-family --members 3 --jobs 2
