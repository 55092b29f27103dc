# attnbio refine: retrain the bundled refiner (`make models`) and benchmark it (`make bench`).
# Two stages, both seeded and deterministic on CPU (about 20 + 5 min on one core, plus 2 min
# scoring the held-out proteins): 1500 steps from random initialisation, then 300 steps of
# fine-tuning with a stronger triangle-inequality term (weight 5, 0.1 A of slack).
MODELS += models-refine
BENCH  += bench-refine
REFINE_STAGE1 := $(OUT)/refine_stage1.safetensors

.PHONY: models-refine bench-refine
models-refine: $(STAMP)
	OMP_NUM_THREADS=1 $(BIN)/attnbio train refine -o $(REFINE_STAGE1) --steps 1500 --batch 2 --crop 64 \
	    --lr 0.002 --seed 0 --tri-weight 1 --tri-slack 0 --threads 1 --no-eval
	OMP_NUM_THREADS=1 $(BIN)/attnbio train refine -o attnbio/weights/refine.safetensors --steps 300 --batch 2 \
	    --crop 64 --lr 0.0005 --seed 1 --tri-weight 5 --tri-slack 0.1 --threads 1 --init $(REFINE_STAGE1)

bench-refine: $(STAMP)
	OMP_NUM_THREADS=2 $(BIN)/python -m pytest -q -p no:cacheprovider -m slow tests/structure
	OMP_NUM_THREADS=2 $(BIN)/python benchmarks/refine.py --threads 2
