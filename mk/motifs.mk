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

models-motifs: $(STAMP)
	rm -rf $(OUT)/models/motifs
	$(BIN)/attnbio motifs $(EXAMPLES)/positives.fa.gz --negatives $(EXAMPLES)/negatives.fa.gz \
	    --seed 1 --threads 2 -o $(OUT)/models/motifs
	cp $(OUT)/models/motifs/model.safetensors attnbio/weights/motifs_example.safetensors
	sed 's/"weights_file": "model.safetensors"/"weights_file": "motifs_example.safetensors"/' \
	    $(OUT)/models/motifs/model.json > attnbio/weights/motifs_example.json

bench-motifs: $(STAMP)
	$(BIN)/python benchmarks/motifs_recovery.py --seeds 0 1 2 --threads 2
