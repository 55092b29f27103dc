# attnbio motifs: bundled example data, the bundled example model, and the recovery benchmark.
MODELS += models-motifs
BENCH += bench-motifs
.PHONY: examples models-motifs bench-motifs
EXAMPLES := data/examples

# The example data: `simulate grammar` defaults, seed 1 (truth.json says what was planted).
examples: $(STAMP)
	rm -rf $(OUT)/examples
	$(BIN)/attnbio simulate grammar --seed 1 -o $(OUT)/examples
	mkdir -p $(EXAMPLES)
	for f in positives.fa negatives.fa; do gzip -n -9 -c $(OUT)/examples/$$f > $(EXAMPLES)/$$f.gz; done
	cp $(OUT)/examples/truth.json $(OUT)/examples/truth.meme $(EXAMPLES)/

# The weights `attnbio motifs` would train on the example data (same options, same bytes).
models-motifs: $(STAMP)
	$(BIN)/attnbio train motifs $(EXAMPLES)/positives.fa.gz --negatives $(EXAMPLES)/negatives.fa.gz \
	    --seed 1 --threads 2 -o attnbio/weights/motifs_example.safetensors

bench-motifs: $(STAMP)
	$(BIN)/python benchmarks/motifs_recovery.py --seeds 0 1 2 --threads 2
