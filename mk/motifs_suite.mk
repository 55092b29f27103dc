# attnbio motifs, issue 12: the benchmark suite (12 frozen configurations x 2 seeds; README.md,
# "Benchmark suite (frozen 2026-12-01)"). About an hour at 2 threads without TF-MoDISco.
BENCH += bench-motifs-suite
.PHONY: bench-motifs-suite
SUITE_DIR ?= $(OUT)/motifs_suite

bench-motifs-suite: $(STAMP)
	$(BIN)/pip install -q -r requirements-bench.txt -c constraints.txt
	$(BIN)/python benchmarks/motifs_suite.py --jobs 2 --threads 1 --save $(SUITE_DIR) --reuse
