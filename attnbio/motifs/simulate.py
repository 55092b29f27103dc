"""`simulate grammar`: benchmark sequences with real JASPAR motifs planted under known rules.

Positives carry one cooperative pair (motif A and motif B at a fixed centre-to-centre spacing
and relative orientation) and, often, enriched single motifs. Negatives carry the same pair
motifs alone or at a random spacing, so that only the spacing separates the classes for them.
Decoy motifs are planted at the same rate in both classes. Which JASPAR profiles play which
role, and the spacings, are drawn from the seed, so the generator is not tuned to any model.

Knobs for the benchmark suite (issue 12; every default keeps the original generator, draw for
draw): factors shared between pairs (`n_factors`, as in the Data-40 benchmark of the SATORI
follow-up, Jabeen & Ben-Hur 2026: 20 factors, 40 cooperative pairs), several pairs per positive,
the allowed relative orientations and the rate of whole-configuration strand flips, the
distance range, an i.i.d. or low-order Markov background (random transition matrix fitted to
the GC content), the rates of every role, named JASPAR profiles (look-alikes such as MEF2 / SRF
/ YY1 or a short GATA) and paralogs (another TF of the same JASPAR family as a planted one).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from attnbio.errors import InputError
from attnbio.io.motif_formats import Motif
from attnbio.motifs.jaspar import load_jaspar
from attnbio.motifs.pwm import information_content, similarity

BASES = np.array(list("ACGT"))


@dataclass
class GrammarSimConfig:
    """Knobs of the generator; defaults are the benchmark defaults of the P1/P2 issues."""
    n_sequences: int = 10_000
    length: int = 200
    n_pairs: int = 3
    n_singles: int = 1
    n_decoys: int = 1
    gc: float = 0.41
    pair_rate_pos: float = 0.8      # positives with their cooperative pair at the fixed spacing
    pair_random_neg: float = 0.25   # negatives with a pair at a random spacing
    pair_alone_neg: float = 0.25    # negatives with one motif of a pair alone
    single_rate_pos: float = 0.5
    single_rate_neg: float = 0.1
    decoy_rate: float = 0.3         # both classes
    min_spacing: int = 4            # bp of background between the two sites, at least
    max_distance: int = 40          # centre-to-centre, at most
    seed: int = 0
    taxon: str = "vertebrates"
    # -- suite knobs (issue 12); truth.json records them only when they differ from these --
    n_factors: int = 0              # motifs shared by the pairs; 0: two of their own per pair
    pairs_per_seq: int = 1          # pair slots per sequence (each filled at pair_rate_pos)
    orientations: tuple = ("++", "+-", "-+")  # relative orientations pairs are drawn from
    flip_rate: float = 0.5          # composites planted on the other strand as a whole
    min_distance: int = 0           # centre-to-centre, at least (beyond widths + min_spacing)
    background: str = "iid"         # "iid", or "markov1" .. "markov3" (order of the chain)
    markov_alpha: float = 1.0       # Dirichlet concentration of the chain's transition rows
    include: tuple = ()             # JASPAR names or ids filling the first slots, in role order
    paralogs: int = 0               # last enriched slots: another TF of a planted one's family
    max_similarity: float = 0.45    # drawn profiles pairwise below this (pwm.similarity); 20+ need ~0.65


SUITE_DEFAULTS = {"n_factors": 0, "pairs_per_seq": 1, "orientations": ("++", "+-", "-+"), "flip_rate": 0.5,
                  "min_distance": 0, "background": "iid", "markov_alpha": 1.0, "include": (), "paralogs": 0,
                  "max_similarity": 0.45}
BACKGROUNDS = ("iid", "markov1", "markov2", "markov3")
ORIENTATIONS = ("++", "+-", "-+", "--")


def n_pair_factors(cfg: GrammarSimConfig) -> int:
    return cfg.n_factors or 2 * cfg.n_pairs


def validate_config(cfg: GrammarSimConfig, where: str = "simulate grammar") -> None:
    """Every knob in range, or InputError with one line naming the knob and the value."""
    def bad(key, why):
        raise InputError(f"{where}: {key} = {getattr(cfg, key)!r}: {why}")

    def number(key, lo, hi, integer=False):
        v = getattr(cfg, key)
        if isinstance(v, bool) or not isinstance(v, int if integer else (int, float)):
            bad(key, "must be an integer" if integer else "must be a number")
        if not lo <= v <= hi:
            bad(key, f"must be in [{lo}, {hi}]")

    number("n_sequences", 20, 10_000_000, True)
    number("length", 80, 100_000, True)
    number("n_pairs", 1, 40, True)
    number("n_singles", 0, 20, True)
    number("n_decoys", 0, 20, True)
    number("n_factors", 0, 40, True)
    number("pairs_per_seq", 1, cfg.n_pairs, True)
    number("min_spacing", 0, 100, True)
    number("min_distance", 0, 1000, True)
    number("max_distance", max(cfg.min_distance, 1), 1000, True)
    number("gc", 0.2, 0.8)
    number("markov_alpha", 1e-3, 1e6)
    number("max_similarity", 0.0, 1.0)
    number("paralogs", 0, 20, True)
    number("seed", 0, 2 ** 63 - 1, True)
    for key in ("pair_rate_pos", "pair_random_neg", "pair_alone_neg", "single_rate_pos", "single_rate_neg",
                "decoy_rate", "flip_rate"):
        number(key, 0.0, 1.0)
    if cfg.pair_random_neg + cfg.pair_alone_neg > 1:
        bad("pair_alone_neg", "pair_random_neg + pair_alone_neg must be <= 1")
    if cfg.length < 2 * cfg.max_distance:
        bad("length", f"must be >= 2 x max_distance ({2 * cfg.max_distance})")
    if cfg.n_factors:
        f = cfg.n_factors
        if f < 2 or not (f + 1) // 2 <= cfg.n_pairs <= f * (f - 1) // 2:
            bad("n_factors", f"{f} factors make {(f + 1) // 2} to {f * (f - 1) // 2} distinct pairs, "
                             f"not n_pairs = {cfg.n_pairs}")
    if not cfg.orientations or any(o not in ORIENTATIONS for o in cfg.orientations):
        bad("orientations", f"must be a non-empty list of {', '.join(ORIENTATIONS)}")
    if cfg.background not in BACKGROUNDS:
        bad("background", f"must be one of {', '.join(BACKGROUNDS)}")
    n_enriched = n_pair_factors(cfg) + cfg.n_singles
    if len(cfg.include) + cfg.paralogs > n_enriched + cfg.n_decoys:
        bad("include", f"{len(cfg.include)} named profiles + {cfg.paralogs} paralogs exceed the "
                       f"{n_enriched + cfg.n_decoys} motif slots")
    if cfg.paralogs and not len(cfg.include) <= n_enriched - cfg.paralogs >= 1:
        bad("paralogs", f"the paralogs take the last enriched slots, after the {len(cfg.include)} named profiles "
                        f"and at least one motif they are paralogs of: at most {max(n_enriched - max(len(cfg.include), 1), 0)}")


def load_config(path) -> dict:
    """GrammarSimConfig fields from a JSON or YAML file, or '-' (stdin, read as YAML, which JSON is a
    subset of); keys = field names; InputError if bad."""
    import json
    from dataclasses import fields
    from pathlib import Path

    from attnbio.io.source import STDIN, read_source_text

    text = read_source_text(path, "config file")
    path = Path(path)
    yaml_text = path.suffix.lower() in (".yaml", ".yml") or str(path) == STDIN
    try:
        if yaml_text:
            import yaml

            raw = yaml.safe_load(text)
        else:
            raw = json.loads(text)
    except Exception as err:  # the parsers' own errors: say where, on one line
        raise InputError(f"{path}: not valid {'YAML' if yaml_text else 'JSON'} "
                         f"({str(err).splitlines()[0]})") from None
    if not isinstance(raw, dict):
        raise InputError(f"{path}: the config must be a mapping of knob names to values")
    known = {f.name for f in fields(GrammarSimConfig)}
    for key, value in raw.items():
        if key not in known:
            raise InputError(f"{path}: unknown key {key!r} (known: {', '.join(sorted(known))})")
        if key in ("orientations", "include"):
            if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
                raise InputError(f"{path}: {key} must be a list of strings")
            raw[key] = tuple(value)
    return raw


def config_record(cfg: GrammarSimConfig) -> dict:
    """The config as truth.json stores it: the original keys, then the suite knobs that were set."""
    from dataclasses import asdict

    out = asdict(cfg)
    for key, default in SUITE_DEFAULTS.items():
        if out[key] == default or (isinstance(default, tuple) and tuple(out[key]) == default):
            del out[key]
        elif isinstance(out[key], tuple):
            out[key] = list(out[key])
    return out


@dataclass
class Planted:
    """One planted site: sequence index, 0-based start, end (exclusive), strand, motif id."""
    seq: int
    start: int
    end: int
    strand: str
    motif_id: str


@dataclass
class GrammarData:
    positives: list[str]
    negatives: list[str]
    motifs: list[Motif]              # every planted profile, meta['role'] in pair/single/decoy
    pairs: list[dict]                # a, b, distance (B centre minus A centre), orientation
    background: dict | None = None   # the Markov chain, when the background is not i.i.d.
    sites_pos: list[Planted] = field(default_factory=list)
    sites_neg: list[Planted] = field(default_factory=list)


def choose_motifs(cfg: GrammarSimConfig, rng: np.random.Generator) -> list[Motif]:
    """Draw distinct, informative JASPAR profiles: different TF families, dissimilar matrices.

    Named profiles (`include`) take the first slots as they are, look-alikes on purpose; the
    last `paralogs` enriched slots get the most similar profile of another TF in the family of
    an earlier slot's motif (similarity < 0.9: not the same matrix again).
    """
    everything = _jaspar(cfg.taxon)
    pool = [m for m in everything
            if 8 <= m.width <= 16 and information_content(m.probs).sum() >= 11
            and information_content(m.probs).mean() >= 0.9 and "::" not in m.name]
    rng.shuffle(pool)
    n_enriched = n_pair_factors(cfg) + cfg.n_singles
    need = n_enriched + cfg.n_decoys
    chosen: list[Motif] = [_named_profile(everything, name, cfg.taxon) for name in cfg.include]
    n_free = need - cfg.paralogs   # slots drawn by the family / similarity rules
    for m in pool:
        if len(chosen) >= n_free:
            break
        if any(m.id == c.id or m.meta["family"] == c.meta["family"] for c in chosen):
            continue
        if any(similarity(m.probs, c.probs) > cfg.max_similarity for c in chosen):
            continue
        chosen.append(m)
    if len(chosen) < n_free:
        raise InputError(f"only {len(chosen)} distinct JASPAR {cfg.taxon} motifs available, need {need} "
                         f"(max_similarity = {cfg.max_similarity}; about 0.55 allows 17, 0.65 about 25)")
    if cfg.paralogs:
        cut = n_enriched - cfg.paralogs
        chosen[cut:cut] = _paralogs(chosen[:cut], chosen, pool, cfg)
    return [_copy(m) for m in chosen]   # roles go into meta: never into the cached profiles


@lru_cache(maxsize=None)
def _jaspar(taxon: str) -> tuple[Motif, ...]:
    """JASPAR CORE profiles of a taxon, read once per process (the database read takes seconds)."""
    return tuple(load_jaspar(taxon))


def _copy(m: Motif, **meta) -> Motif:
    return Motif(m.id, m.name, m.probs.copy(), m.nsites, meta={**m.meta, **meta})


def _named_profile(everything: list[Motif], name: str, taxon: str) -> Motif:
    """The JASPAR profile with this id (MA0052.5) or TF name (case-insensitive)."""
    for m in everything:
        if name == m.id or name.upper() == m.name.upper():
            return _copy(m, named=True)
    raise InputError(f"simulate grammar: include: {name!r} is not a JASPAR CORE {taxon} profile name or id")


def _paralogs(sources: list[Motif], chosen: list[Motif], pool: list[Motif], cfg: GrammarSimConfig) -> list[Motif]:
    out: list[Motif] = []
    taken = {m.id for m in chosen} | {m.name.upper() for m in chosen}
    for src in sources:
        if len(out) == cfg.paralogs:
            break
        cands = [m for m in pool if m.meta["family"] == src.meta["family"] and m.id not in taken
                 and m.name.upper() not in taken]
        scored = [(similarity(m.probs, src.probs), k, m) for k, m in enumerate(cands)]
        scored = [t for t in scored if t[0] < 0.9]
        if not scored:
            continue
        _, _, best = max(scored, key=lambda t: (t[0], -t[1]))
        best = _copy(best, paralog_of=src.id)
        taken |= {best.id, best.name.upper()}
        out.append(best)
    if len(out) < cfg.paralogs:
        raise InputError(f"simulate grammar: paralogs = {cfg.paralogs}: only {len(out)} of the planted motifs' "
                         f"JASPAR families hold another TF's profile")
    return out


def _sample_site(m: Motif, strand: str, rng: np.random.Generator) -> str:
    cum = np.cumsum(m.probs, axis=1)
    idx = (rng.random((m.width, 1)) > cum).sum(axis=1).clip(max=3)
    site = "".join(BASES[idx])
    return _revcomp(site) if strand == "-" else site


def _revcomp(s: str) -> str:
    return s.translate(str.maketrans("ACGTN", "TGCAN"))[::-1]


class _Canvas:
    """A background sequence with an occupancy mask so planted sites never overlap."""

    def __init__(self, length: int, gc: float, rng: np.random.Generator, codes: np.ndarray | None = None):
        if codes is None:  # i.i.d. bases, drawn here (the original generator's order of draws)
            p = [(1 - gc) / 2, gc / 2, gc / 2, (1 - gc) / 2]
            codes = rng.choice(4, size=length, p=p)
        self.seq = list(BASES[codes])
        self.used = np.zeros(length, bool)
        self.rng = rng

    def free_start(self, span: int, tries: int = 50) -> int | None:
        n = len(self.seq)
        for _ in range(tries):
            s = int(self.rng.integers(0, n - span + 1))
            if not self.used[s:s + span].any():
                return s
        return None

    def put(self, start: int, site: str) -> None:
        self.seq[start:start + len(site)] = list(site)
        self.used[start:start + len(site)] = True


def _plant_single(canvas: _Canvas, m: Motif, k: int, out: list, rng) -> None:
    start = canvas.free_start(m.width)
    if start is None:
        return
    strand = "+" if rng.random() < 0.5 else "-"
    canvas.put(start, _sample_site(m, strand, rng))
    out.append(Planted(k, start, start + m.width, strand, m.id))


def _plant_pair(canvas: _Canvas, a: Motif, b: Motif, distance: int, orientation: str,
                k: int, out: list, rng, flip_rate: float = 0.5) -> None:
    """Plant A then B with B's centre `distance` bp after A's; the whole composite may be flipped."""
    a_start = 0
    b_start = int(round(a_start + (a.width - 1) / 2 + distance - (b.width - 1) / 2))
    lo, hi = min(a_start, b_start), max(a_start + a.width, b_start + b.width)
    start = canvas.free_start(hi - lo)
    if start is None:
        return
    sa, sb = orientation[0], orientation[1]
    pieces = [(a, a_start - lo, sa), (b, b_start - lo, sb)]
    if rng.random() < flip_rate:  # the composite on the other strand: same grammar, mirrored coordinates
        span = hi - lo
        flip = {"+": "-", "-": "+"}
        pieces = [(m, span - off - m.width, flip[s]) for m, off, s in pieces]
    for m, off, s in pieces:
        canvas.put(start + off, _sample_site(m, s, rng))
        out.append(Planted(k, start + off, start + off + m.width, s, m.id))


def _random_distance(a: Motif, b: Motif, cfg: GrammarSimConfig, avoid: int, rng) -> int:
    lo = (a.width + b.width) // 2 + cfg.min_spacing
    options = [d for d in range(lo, cfg.length // 2) if abs(d - avoid) > 5]
    return int(rng.choice(options))


def simulate_grammar(cfg: GrammarSimConfig) -> GrammarData:
    """Generate positives and negatives (n_sequences / 2 each) with a truth record."""
    validate_config(cfg)
    rng = np.random.default_rng(cfg.seed)
    motifs = choose_motifs(cfg, rng)
    n_fac = n_pair_factors(cfg)
    pair_m = motifs[:n_fac]
    singles = motifs[n_fac:n_fac + cfg.n_singles]
    decoys = motifs[n_fac + cfg.n_singles:]
    for m, role in [(m, "pair") for m in pair_m] + [(m, "single") for m in singles] + [(m, "decoy") for m in decoys]:
        m.meta["role"] = role
    pairs = []
    for i, j in _pair_members(cfg, rng):
        a, b = pair_m[i], pair_m[j]
        lo = max((a.width + b.width) // 2 + cfg.min_spacing, cfg.min_distance)
        if lo > cfg.max_distance:
            raise InputError(f"simulate grammar: max_distance = {cfg.max_distance}: {a.name} ({a.width} bp) and "
                             f"{b.name} ({b.width} bp) need at least {lo} bp centre to centre")
        pairs.append({"a": a.id, "b": b.id, "distance": int(rng.integers(lo, cfg.max_distance + 1)),
                      "orientation": str(rng.choice(list(cfg.orientations)))})
    data = GrammarData([], [], motifs, pairs)
    n_half = cfg.n_sequences // 2
    bg_pos = bg_neg = [None] * n_half
    if cfg.background != "iid":
        chain = markov_chain(int(cfg.background[-1]), cfg.gc, cfg.markov_alpha, rng)
        data.background = {"model": cfg.background, **{k: v.tolist() for k, v in chain.items()}}
        bg_pos = sample_markov(chain, n_half, cfg.length, rng)
        bg_neg = sample_markov(chain, n_half, cfg.length, rng)
    by_id = {m.id: m for m in motifs}
    for k in range(n_half):
        data.positives.append(_positive(k, cfg, rng, by_id, pairs, singles, decoys, data.sites_pos, bg_pos[k]))
    for k in range(n_half):
        data.negatives.append(_negative(k, cfg, rng, by_id, pairs, singles, decoys, data.sites_neg, bg_neg[k]))
    return data


def _pair_members(cfg: GrammarSimConfig, rng) -> list[tuple[int, int]]:
    """Indices of each pair's two factors: disjoint (0, 1), (2, 3) ... or, with n_factors,
    a chain covering every factor and then distinct pairs drawn at random."""
    if not cfg.n_factors:
        return [(2 * i, 2 * i + 1) for i in range(cfg.n_pairs)]
    f = cfg.n_factors
    out = [(2 * i, 2 * i + 1) for i in range(f // 2)] + ([(f - 1, 0)] if f % 2 else [])
    seen = {frozenset(p) for p in out}
    rest = [(i, j) for i in range(f) for j in range(i + 1, f) if frozenset((i, j)) not in seen]
    for k in rng.permutation(len(rest))[:cfg.n_pairs - len(out)]:
        i, j = rest[int(k)]
        out.append((i, j) if rng.random() < 0.5 else (j, i))
    return out


def markov_chain(order: int, gc: float, alpha: float, rng) -> dict:
    """A random order-k chain over ACGT whose stationary GC content is `gc`.

    Transition rows are Dirichlet(alpha) draws; the C and G columns are then scaled by one
    common factor (bisection on its log) until the stationary distribution has the GC asked for.
    """
    n = 4 ** order
    raw = rng.dirichlet(np.full(4, alpha), size=n)
    w_gc = np.array([0.0, 1.0, 1.0, 0.0])

    def fitted(logw):
        t = raw * np.exp(logw * w_gc)
        t /= t.sum(axis=1, keepdims=True)
        pi = _stationary(t)
        return t, pi, float((pi[:, None] * t * w_gc).sum())

    lo, hi = -30.0, 30.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if fitted(mid)[2] < gc:
            lo = mid
        else:
            hi = mid
    t, pi, got = fitted((lo + hi) / 2)
    return {"order": np.array(order), "transitions": t, "stationary": pi, "gc": np.array(got)}


def _stationary(t: np.ndarray) -> np.ndarray:
    """Stationary distribution over the 4^k states (last k bases, base 4 digits) of a chain."""
    n = t.shape[0]
    p = np.zeros((n, n))
    for s in range(n):
        for b in range(4):
            p[s, (s * 4 + b) % n] += t[s, b]
    pi = np.full(n, 1 / n)
    for _ in range(2000):
        nxt = pi @ p
        if np.abs(nxt - pi).max() < 1e-13:
            break
        pi = nxt
    return nxt / nxt.sum()


def sample_markov(chain: dict, n: int, length: int, rng) -> np.ndarray:
    """(n, length) base codes 0-3 from the chain, started from its stationary distribution."""
    t, pi, order = chain["transitions"], chain["stationary"], int(chain["order"])
    k = t.shape[0]
    state = rng.choice(k, size=n, p=pi)
    out = np.empty((n, length + order), np.uint8)
    for i in range(order):  # the starting state's bases, most significant digit first
        out[:, i] = (state // 4 ** (order - 1 - i)) % 4
    cum = np.cumsum(t, axis=1)
    u = rng.random((n, length))
    for pos in range(length):
        nxt = (u[:, pos, None] > cum[state]).sum(axis=1).clip(max=3)
        out[:, pos + order] = nxt
        state = (state * 4 + nxt) % k
    return out[:, order:]


def _positive(k, cfg, rng, by_id, pairs, singles, decoys, sites, codes=None) -> str:
    canvas = _Canvas(cfg.length, cfg.gc, rng, codes)
    used: set[int] = set()
    for _ in range(cfg.pairs_per_seq):
        if rng.random() < cfg.pair_rate_pos:
            options = [i for i in range(len(pairs)) if i not in used]
            i = options[int(rng.integers(len(options)))]
            used.add(i)
            p = pairs[i]
            _plant_pair(canvas, by_id[p["a"]], by_id[p["b"]], p["distance"], p["orientation"], k, sites, rng,
                        cfg.flip_rate)
    _plant_extras(canvas, cfg.single_rate_pos, singles, decoys, cfg, k, sites, rng)
    return "".join(canvas.seq)


def _negative(k, cfg, rng, by_id, pairs, singles, decoys, sites, codes=None) -> str:
    canvas = _Canvas(cfg.length, cfg.gc, rng, codes)
    for _ in range(cfg.pairs_per_seq):
        u = rng.random()
        p = pairs[int(rng.integers(len(pairs)))]
        a, b = by_id[p["a"]], by_id[p["b"]]
        if u < cfg.pair_random_neg:
            d = _random_distance(a, b, cfg, p["distance"], rng)
            _plant_pair(canvas, a, b, d, p["orientation"], k, sites, rng, cfg.flip_rate)
        elif u < cfg.pair_random_neg + cfg.pair_alone_neg:
            _plant_single(canvas, a if rng.random() < 0.5 else b, k, sites, rng)
    _plant_extras(canvas, cfg.single_rate_neg, singles, decoys, cfg, k, sites, rng)
    return "".join(canvas.seq)


def _plant_extras(canvas, single_rate, singles, decoys, cfg, k, sites, rng) -> None:
    for m in singles:
        if rng.random() < single_rate:
            _plant_single(canvas, m, k, sites, rng)
    for m in decoys:
        if rng.random() < cfg.decoy_rate:
            _plant_single(canvas, m, k, sites, rng)


def truth_record(data: GrammarData, cfg: GrammarSimConfig) -> dict:
    """JSON-ready description of what was planted (the benchmark's answer key)."""
    from attnbio.motifs.jaspar import JASPAR_RELEASE

    def motif(m):
        out = {"id": m.id, "name": m.name, "role": m.meta["role"], "family": m.meta["family"], "width": m.width}
        out.update({k: m.meta[k] for k in ("named", "paralog_of") if k in m.meta})
        return out

    extra = {}
    if data.background:
        extra["background"] = data.background
    if any(config_record(cfg).get(k) is not None for k in SUITE_DEFAULTS):
        extra["site_counts"] = {
            m.id: {"positives": sum(s.motif_id == m.id for s in data.sites_pos),
                   "negatives": sum(s.motif_id == m.id for s in data.sites_neg)} for m in data.motifs}
    return {
        "generator": "attnbio simulate grammar",
        "jaspar_release": JASPAR_RELEASE,
        "config": config_record(cfg),
        "motifs": [motif(m) for m in data.motifs],
        "enriched": [m.id for m in data.motifs if m.meta["role"] in ("pair", "single")],
        "decoys": [m.id for m in data.motifs if m.meta["role"] == "decoy"],
        "pairs": data.pairs,
        "rates": {"pair_pos": cfg.pair_rate_pos, "pair_random_neg": cfg.pair_random_neg,
                  "pair_alone_neg": cfg.pair_alone_neg, "single_pos": cfg.single_rate_pos,
                  "single_neg": cfg.single_rate_neg, "decoy": cfg.decoy_rate},
        **extra,
    }


def write_grammar(cfg: GrammarSimConfig, outdir, data: GrammarData | None = None) -> dict:
    """Simulate (unless `data` is this config's simulation already) and write positives.fa,
    negatives.fa, truth.json, truth.meme, truth_sites.tsv."""
    import json
    from pathlib import Path

    from attnbio.io.fasta import write_fasta
    from attnbio.io.motif_formats import write_meme
    from attnbio.io.tables import write_tsv

    outdir = Path(outdir)
    data = data or simulate_grammar(cfg)
    write_fasta(outdir / "positives.fa", [(f"pos{i}", s) for i, s in enumerate(data.positives)])
    write_fasta(outdir / "negatives.fa", [(f"neg{i}", s) for i, s in enumerate(data.negatives)])
    truth = truth_record(data, cfg)
    (outdir / "truth.json").write_text(json.dumps(truth, indent=2) + "\n")
    write_meme(outdir / "truth.meme", data.motifs)
    rows = [(f"pos{s.seq}", s.start, s.end, s.strand, s.motif_id) for s in data.sites_pos]
    rows += [(f"neg{s.seq}", s.start, s.end, s.strand, s.motif_id) for s in data.sites_neg]
    write_tsv(outdir / "truth_sites.tsv", ["seq_id", "start", "end", "strand", "motif_id"], rows)
    return truth
