# attnbio motifs, issue 12: the benchmark suite (12 frozen configurations x 2 seeds; README.md,
# "Benchmark suite (frozen 2026-12-01)"). Sized for about an hour at 2 threads without TF-MoDISco on an idle machine
# (an estimate from Benchmark 2's 170 s per 10,000 x 200 bp, not measured: see README for what a loaded machine took).
BENCH += bench-motifs-suite
.PHONY: bench-motifs-suite
SUITE_DIR ?= $(OUT)/motifs_suite

bench-motifs-suite: $(STAMP)
	$(BIN)/pip install -q -r requirements-bench.txt -c constraints.txt
	$(BIN)/python benchmarks/motifs_suite.py --jobs 2 --threads 1 --save $(SUITE_DIR) --reuse
	@# What a reader of the planted sites could reach (no model): the AUROC the runs above are short of.
	$(BIN)/python benchmarks/motifs_ceiling.py --seeds 0 1
