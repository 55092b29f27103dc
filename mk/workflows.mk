# attnbio scan and workflows/: throughput and peak memory of the streaming scan (vs reading all
# at once, the way `attnbio motifs` does) with the bundled model, and the slow kill -9 / resume
# test of the Snakemake workflow. README.md and docs/workflows.md quote the table (about 20 min).
BENCH += bench-scan
SCAN_THREADS ?= 2
SCAN_MODEL   := attnbio/weights/motifs_example.safetensors
SCAN_BENCH   := $(BIN)/python benchmarks/scan_throughput.py --model $(SCAN_MODEL) --threads $(SCAN_THREADS)
.PHONY: bench-scan

bench-scan: $(STAMP)
	$(SCAN_BENCH) --lengths 200 --counts 10000,100000,1000000 --modes stream
	$(SCAN_BENCH) --lengths 200 --counts 10000,200000 --modes stream
	$(SCAN_BENCH) --lengths 200 --counts 10000,100000 --modes in-memory
	$(SCAN_BENCH) --lengths 1000 --counts 10000
	$(BIN)/python -m pytest -q -p no:cacheprovider -m slow tests/workflows
# The workflow on a real single-node SLURM cluster (../shared/slurm/start_cluster.sh, as root):
# with and without accounting, GPU and CPU-only profiles, the preflight's refusals; about 5 min.
# Prints one "skipped" line where the script is absent or the user is not root. .ci/run calls it.
.PHONY: test-slurm
test-slurm: $(STAMP)
	tests/workflows/slurm_ci.sh
