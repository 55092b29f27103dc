"""Q-learning whose update attends over its replay buffer, on a chain MDP with a known optimum.

The update is the expectation of semi-gradient Q-learning (Watkins & Dayan 1992) under an
attention distribution over all memories in the buffer:

    theta <- theta + alpha * sum_i a_i * delta_i * phi(s_i, a_i),
    delta_i = r_i + gamma * max_b Q(s'_i, b) - Q(s_i, a_i),
    a = softmax(|delta| / tau - lambda * age).

The logit |delta_i| = |<[theta; 1], [gamma phi(s'_i, b*) - phi(s_i, a_i); r_i]>| is a dot product
between the learner (query) and each memory (key): attention to surprise, i.e. prioritised
replay written as softmax attention (Schaul et al. 2016, "Prioritized Experience Replay").

The MDP is the Tsitsiklis & Van Roy (1997) "theta -> 2 theta" chain, with actions: states
0..N-1, action 0 stays, action 1 advances (the last state advances onto itself), linear
features phi(s, a) = (s + 1) e_a. Rewards are set so that Q*(s, a) = theta*_a (s + 1) exactly
(checked by value iteration), so a stable learner can reach zero error. Transitions that advance
from a low state bootstrap from a larger feature and are expansive; the self-loop at the end,
where the current (advancing) policy spends its time, is contractive. An old exploratory policy
filled the buffer with low-state transitions. Attention to surprise concentrates on those
old-policy memories, the deadly triad of function approximation, bootstrapping and off-policy
updates takes over (Sutton & Barto 2018, section 11.3) and Q diverges. Remedies compared:
recency bias (a linear penalty on memory age, as ALiBi does for token distance; Press et al.
2022), importance weights (PER's correction (N a_i)^-beta, which in this full-buffer update is
the same as multiplying tau by 1/(1 - beta)) and a high temperature.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from attnbio.domains import tick
from attnbio.errors import InputError

THETA_STAR = np.array([0.5, 1.0])   # Q*(s, a) = THETA_STAR[a] * (s + 1): advancing is optimal


@dataclass
class ChainMDP:
    """Deterministic chain: n_states states, actions 0 = stay, 1 = advance; discount gamma."""

    n_states: int = 5
    gamma: float = 0.9

    def step(self, s: int, a: int) -> int:
        return s if a == 0 else min(s + 1, self.n_states - 1)

    def q_star(self) -> np.ndarray:
        """(n_states, 2) optimal action values by construction."""
        return np.outer(np.arange(1, self.n_states + 1), THETA_STAR)

    def reward(self, s: int, a: int) -> float:
        """r(s, a) = Q*(s, a) - gamma max_b Q*(s', b), which makes q_star() the Bellman fixed point."""
        q = self.q_star()
        return float(q[s, a] - self.gamma * q[self.step(s, a)].max())

    def value_iteration(self, tol: float = 1e-12) -> np.ndarray:
        """(n_states, 2) Q* by value iteration (Bellman 1957), independent of the construction."""
        q = np.zeros((self.n_states, 2))
        r = np.array([[self.reward(s, a) for a in (0, 1)] for s in range(self.n_states)])
        nxt = np.array([[self.step(s, a) for a in (0, 1)] for s in range(self.n_states)])
        while True:
            new = r + self.gamma * q.max(axis=1)[nxt]
            if np.abs(new - q).max() < tol:
                return new
            q = new


@dataclass
class Remedy:
    """How attention over the buffer is computed: temperature, recency slope, IS exponent."""

    name: str
    tau: float = 0.05
    recency: float = 0.0       # logit penalty per step of memory age
    is_beta: float = 0.0       # PER importance-weight exponent


REMEDIES = {
    "none": Remedy("none"),
    "recency": Remedy("recency", recency=0.5),
    "importance": Remedy("importance", is_beta=1.0),
    "temperature": Remedy("temperature", tau=5.0),
}


class Buffer:
    """Replay memory of (s, a, r, s', time written, old-policy flag) in preallocated arrays."""

    def __init__(self, capacity: int):
        self.s, self.a, self.s2 = (np.zeros(capacity, dtype=np.int64) for _ in range(3))
        self.r, self.t = np.zeros(capacity), np.zeros(capacity)
        self.old = np.zeros(capacity, dtype=bool)
        self.n = 0

    def add(self, s, a, r, s2, t, old=False):
        i = self.n
        self.s[i], self.a[i], self.r[i], self.s2[i], self.t[i], self.old[i] = s, a, r, s2, t, old
        self.n += 1


def fill_old_policy(buf: Buffer, mdp: ChainMDP, n: int, rng: np.random.Generator, horizon: int = 4):
    """n transitions of an old exploratory policy: uniform actions, short episodes from state 0."""
    while buf.n < n:
        s = 0
        for _ in range(min(horizon, n - buf.n)):
            a = int(rng.integers(2))
            s2 = mdp.step(s, a)
            buf.add(s, a, mdp.reward(s, a), s2, t=-1, old=True)
            s = s2


def attention(buf: Buffer, delta: np.ndarray, now: int, remedy: Remedy) -> np.ndarray:
    """(n,) softmax weights over the buffer; PER's IS correction folded in, in log space."""
    logits = np.abs(delta) / remedy.tau - remedy.recency * (now - buf.t[:buf.n])
    logits *= 1.0 - remedy.is_beta       # a^(1-beta) after the correction (N a)^-beta
    logits -= logits.max()
    w = np.exp(logits)
    return w / w.sum()


@dataclass
class RunTrace:
    """One learning run: Q error vs Q* per step and attention mass on old-policy memories."""

    q_error: list = field(default_factory=list)
    old_mass: list = field(default_factory=list)
    diverged: bool = False
    theta: np.ndarray | None = None


def run_agent(remedy: Remedy, seed: int, mdp: ChainMDP | None = None, steps: int = 3000,
              n_old: int = 1000, alpha: float = 0.01, epsilon: float = 0.1, horizon: int = 20,
              blowup: float = 1e6, init: str = "optimistic") -> RunTrace:
    """epsilon-greedy Q-learning with the attention-weighted buffer update of the module docstring.

    theta starts optimistic (init='optimistic': Q* plus U(0.5, 1.5) per action; Sutton & Barto
    2018, section 2.6) or anywhere near it (init='random': Q* plus N(0, 1) per action);
    episodes of `horizon` steps start at a uniform random state; stops when max|Q - Q*| > blowup.
    """
    mdp = mdp or ChainMDP()
    rng = np.random.default_rng(seed)
    buf = Buffer(n_old + steps)
    fill_old_policy(buf, mdp, n_old, rng)
    theta = THETA_STAR + (rng.uniform(0.5, 1.5, 2) if init == "optimistic" else rng.normal(0, 1, 2))
    trace, feats = RunTrace(), np.arange(1, mdp.n_states + 1)
    s = int(rng.integers(mdp.n_states))
    for t in range(steps):
        a = int(rng.integers(2)) if rng.random() < epsilon else int(np.argmax(theta * (s + 1)))
        s2 = mdp.step(s, a)
        buf.add(s, a, mdp.reward(s, a), s2, t)
        s = s2 if (t + 1) % horizon else int(rng.integers(mdp.n_states))
        theta = _update(theta, buf, mdp.gamma, t, remedy, alpha, trace)
        trace.q_error.append(float(np.abs(np.outer(feats, theta - THETA_STAR)).max()))
        if not trace.q_error[-1] < blowup:
            trace.diverged = True
            break
    trace.theta = theta
    return trace


def _update(theta, buf, gamma, t, remedy, alpha, trace):
    n = buf.n
    phi, phi2 = buf.s[:n] + 1.0, buf.s2[:n] + 1.0
    delta = buf.r[:n] + gamma * phi2 * theta.max() - phi * theta[buf.a[:n]]
    w = attention(buf, delta, t, remedy)
    trace.old_mass.append(float(w[buf.old[:n]].sum()))
    grad = np.bincount(buf.a[:n], weights=w * delta * phi, minlength=2)
    return theta + alpha * grad


def run_rl(seeds=(0, 1, 2, 3, 4), remedies=("none", "recency", "importance", "temperature"),
           steps: int = 3000, tau: float | None = None,
           recency: float | None = None, init: str = "optimistic") -> tuple[list[dict], dict]:
    """Run every remedy on every seed; returns (table rows, {(remedy, seed): RunTrace}).

    tau, if given, replaces the temperature of the 'none', 'recency' and 'importance' runs;
    recency, if given, the age slope of the 'recency' run; init: see run_agent.
    """
    rows, traces = [], {}
    for name in remedies:
        remedy = REMEDIES[name]
        if tau is not None and name != "temperature":
            remedy = Remedy(remedy.name, tau, remedy.recency, remedy.is_beta)
        if recency is not None and name == "recency":
            remedy = Remedy(remedy.name, remedy.tau, recency, remedy.is_beta)
        for seed in seeds:
            tr = run_agent(remedy, seed, steps=steps, init=init)
            traces[(name, seed)] = tr
            rows.append({"remedy": name, "seed": seed, "init": init, "tau": remedy.tau,
                         "recency": remedy.recency, "is_beta": remedy.is_beta, "steps_run": len(tr.q_error),
                         "diverged": tr.diverged, "final_q_error": tr.q_error[-1],
                         "max_q_error": max(tr.q_error),
                         "mean_attention_on_old": float(np.mean(tr.old_mass))})
    return rows, traces


REMEDY_NAMES = tuple(REMEDIES)
INITS = ("optimistic", "random")


@dataclass
class RlRequest:
    """One `attnbio rl` run: n_seeds seeds from `seed`, each remedy, the attention settings."""

    n_seeds: int = 5
    steps: int = 3000
    tau: float = 0.05
    recency: float = 0.5
    init: str = "optimistic"
    remedies: tuple = REMEDY_NAMES
    seed: int = 0

    def check(self) -> None:
        """InputError (named by the command's option) for values the method cannot use."""
        if self.n_seeds < 1:
            raise InputError(f"--seeds must be at least 1, got {self.n_seeds}")
        if self.steps < 1:
            raise InputError(f"--steps must be at least 1, got {self.steps}")
        if not self.tau > 0 or self.tau == float("inf"):
            raise InputError(f"--tau must be a positive, finite number, got {self.tau}")
        bad = [n for n in self.remedies if n not in REMEDIES]
        if bad or not self.remedies:
            raise InputError(f"--remedies takes names from {', '.join(REMEDY_NAMES)}, "
                             f"got '{','.join(self.remedies)}'")
        if not 0 <= self.recency < float("inf"):
            raise InputError(f"--recency must be a finite number >= 0, got {self.recency}")
        if self.init not in INITS:
            raise InputError(f"--init must be one of {', '.join(INITS)}, got {self.init!r}")


@dataclass
class RlResult:
    """rows: one per remedy and seed; summary: one per remedy; traces: {(remedy, seed): RunTrace}."""

    rows: list
    summary: list
    traces: dict


def run(req: RlRequest, progress=None) -> RlResult:
    """Every remedy on every seed (run_rl), and the per-remedy summary."""
    req.check()
    names = list(dict.fromkeys(req.remedies))
    seeds = list(range(req.seed, req.seed + req.n_seeds))
    rows, traces = run_rl(seeds, names, steps=req.steps, tau=req.tau, recency=req.recency,
                          init=req.init)
    tick(progress, 1, 1)
    return RlResult(rows, summarise(rows, names), traces)


def summarise(rows, names) -> list[dict]:
    """Per remedy: runs diverged, runs that reached Q* (final max|Q - Q*| < 1e-6), medians."""
    out = []
    for name in names:
        sub = [r for r in rows if r["remedy"] == name]
        out.append({"remedy": name, "n_seeds": len(sub), "n_diverged": sum(r["diverged"] for r in sub),
                    "n_reached_q_star": sum(r["final_q_error"] < 1e-6 for r in sub),
                    "median_final_q_error": float(np.median([r["final_q_error"] for r in sub])),
                    "max_final_q_error": max(r["final_q_error"] for r in sub),
                    "mean_attention_on_old": float(np.mean([r["mean_attention_on_old"] for r in sub]))})
    return out
