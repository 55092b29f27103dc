# attnbio refine: retrain the bundled refiner (`make models`) and benchmark it (`make bench`).
MODELS += models-refine
BENCH  += bench-refine

.PHONY: models-refine bench-refine
models-refine: $(STAMP)
	OMP_NUM_THREADS=1 $(BIN)/python -m attnbio.structure.train attnbio/weights/refine.safetensors --threads 1

bench-refine: $(STAMP)
	OMP_NUM_THREADS=2 $(BIN)/python -m pytest -q -p no:cacheprovider -m slow tests/structure
	OMP_NUM_THREADS=2 $(BIN)/python benchmarks/refine.py --threads 2
