# attnbio motifs, ChIP-seq route (README.md, "ChIP-seq route"): peaks + genome vs the FASTA route,
# and GC-matched background sampling for 50,000 peaks from a 100 Mb genome (made in /tmp).
BENCH += bench-chip
.PHONY: bench-chip

bench-chip: $(STAMP)
	$(BIN)/python benchmarks/chip_route.py --part background --workdir /tmp/attnbio_chip_bench
	$(BIN)/python benchmarks/chip_route.py --part route --peaks 3000 --threads 1 --workdir /tmp/attnbio_chip_bench
