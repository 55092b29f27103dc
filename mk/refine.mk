# attnbio refine: retrain the bundled refiner (`make models`) and benchmark it (`make bench`).
# Two stages, both seeded and deterministic on CPU (about 20 + 5 min on one core, plus 2 min
# scoring the held-out proteins): 1500 steps from random initialisation, then 300 steps of
# fine-tuning with a stronger triangle-inequality term (weight 5, 0.1 A of slack).
MODELS += models-refine
BENCH  += bench-refine
REFINE_STAGE1 := $(OUT)/refine_stage1.safetensors

.PHONY: models-refine bench-refine
models-refine: $(STAMP)
	mkdir -p $(OUT)
	OMP_NUM_THREADS=1 $(BIN)/python -m attnbio.structure.train $(REFINE_STAGE1) --threads 1 \
	    --steps 1500 --lr 2e-3 --seed 0 --tri-weight 1 --tri-slack 0 --no-eval
	OMP_NUM_THREADS=1 $(BIN)/python -m attnbio.structure.train attnbio/weights/refine.safetensors --threads 1 \
	    --init $(REFINE_STAGE1) --steps 300 --lr 5e-4 --seed 1 --tri-weight 5 --tri-slack 0.1

bench-refine: $(STAMP)
	OMP_NUM_THREADS=2 $(BIN)/python -m pytest -q -p no:cacheprovider -m slow tests/structure
	OMP_NUM_THREADS=2 $(BIN)/python benchmarks/refine.py --threads 2
