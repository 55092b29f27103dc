# attnbio protein: retrain the bundled weights and run the contact/lens benchmark.
MODELS += models-protein
BENCH += bench-protein
.PHONY: models-protein bench-protein

models-protein: $(STAMP)
	OMP_NUM_THREADS=1 $(BIN)/python -m attnbio.protein.train --seed 0 --out attnbio/weights/protein.safetensors

bench-protein: $(STAMP)
	OMP_NUM_THREADS=1 $(BIN)/python benchmarks/protein_contacts.py --retrain-seed 1 --threads 2
	$(BIN)/python -m pytest -q -p no:cacheprovider -m slow tests/protein
