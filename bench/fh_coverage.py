"""Coverage of Fay–Herriot intervals for shares, by simulation (issue 13).

    .venv/bin/python bench/fh_coverage.py [--replications 1000] [--seed 13]

One fixed "wave": 102 localities, sample sizes from 7 to 400 (log-normal,
median about 40, like a quarter's SIPAS responses), a locality kind
(phường/xã) and a standardised log dossier count ``x`` as covariates.  Each
replication draws true shares around p = 0.8 in one of two ways:

- ``arcsine`` (the arcsine model's own scale): ``arcsin √p_i = arcsin √0.8 +
  0.05 x_i − 0.06 kind_i + u_i``, ``u_i ~ N(0, 0.07²)``;
- ``logit`` (a misspecification check): ``logit p_i = logit 0.8 + 0.25 x_i −
  0.3 kind_i + u_i``, ``u_i ~ N(0, 0.35²)``, the same model to first order at
  p = 0.8 (d arcsin √p / d logit p = √(p(1−p))/2 = 0.2) but with normal
  effects on another scale, so the arcsine model's σu² is wrong at the
  extremes;

then the responses ``Binomial(n_i, p_i)`` (so deff = 1 and ñ = n), and fits, by REML,

- FH on the arcsine scale, D = 1/(4ñ), interval ends back-transformed, with each
  of the three intervals of ``analysis.sae.intervals``: ``EBLUP ± z √MSE``
  (Prasad–Rao), the Chatterjee–Lahiri–Li parametric bootstrap
  (``--interval-replicates`` per replication, all replications' replicates
  refitted in array passes of ``--chunk`` replications) and the
  Armstrong–Kolesár–Plagborg-Møller robust interval;
- plain FH on the raw shares with plug-in D = p̂(1−p̂)/n, floored at 1e-6 where
  p̂ is 0 or 1 (a zero variance would make the area's interval a point);
- the direct Wald interval p̂ ± z √(p̂(1−p̂)/n), for reference.

It reports the coverage of nominal 95 % intervals overall, in the quartile of
smallest n and in the worst area, and the mean interval length (overall and
in that quartile); the mean reduction of the root MSE against
the direct estimates (empirical, over replications) and of the estimated CV
(bootstrap MSE, over the first ``--cv-replications``); and the time of one
fit with its MSE and of the 500-replicate bootstrap (also with the robust
and the bootstrap interval), in process and as the ``python -m analysis fh``
command.  All replications are fitted in one array pass, their bootstrap
replicates in passes of ``--chunk`` replications (the machine is shared).

``--scenario desk-day`` (issue 21) is what a real wave has instead: answers
clustered by desk-day, thin communes, variances estimated from the data.

    .venv/bin/python bench/fh_coverage.py --scenario desk-day [--icc 0.1]

One fixed wave of 102 communes with n from 1 to 300 (log-normal, median about
12, so about half have n ≤ 10) and 6 more with no response; each commune's
answers come in desk-days of ``1 + Poisson(day_mean − 1)`` answers (the last
day cut to n).  Each replication draws the true shares as above (the
``--truth`` scales), then a share for each desk-day from a beta law around its
commune's with intra-cluster correlation ``--icc`` (so the design effect of a
commune is ``Σ m_d(1 + (m_d − 1)ρ)/n``, about 1.5 at the defaults), then the
answers ``Binomial(m_d, p_day)``.  From each replication's data, as the report
would: the direct share, its ultimate-cluster (with-replacement, desk-days as
PSUs) variance where the commune has two desk-days or more, its deff where
also ``0 < p̂ < 1``.  Compared, FH on the arcsine scale by REML with

- ``before``: each commune's own variance (``ñ = p̂(1−p̂)/v``) as the report
  did until issue 21; communes without a positive one are not modelled (no
  estimate: counted apart, not as covered or missed);
- ``after``: the GVF of ``analysis.sae.gvf`` (pooled deff floored at 1, κ, the
  report's code), every commune with a response modelled;
- ``oracle``: each commune's true design variance (a reference for what the
  pooling of deff loses);

each with ``EBLUP ± z √MSE`` and the CLL bootstrap interval (the report's;
for the oracle only with ``--oracle-bootstrap``),
the direct interval with the commune's own SE, and for the 6 communes with no
response the synthetic interval of ``analysis.sae.synthetic``.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.sae import small_area_estimates, smoothed_variances  # noqa: E402
from analysis.sae import transform as scales  # noqa: E402
from analysis.sae.bootstrap import pivot_quantiles  # noqa: E402
from analysis.sae.intervals import mse_half_width, robust_half_width  # noqa: E402
from analysis.sae.model import fit_many  # noqa: E402
from analysis.sae.synthetic import synthetic_estimates  # noqa: E402

AREAS = 102
LEVEL = 0.95
#: the true model on each scale: (β, σu)
TRUTHS = {"arcsine": (np.array([np.arcsin(np.sqrt(0.8)), 0.05, -0.06]), 0.07),
          "logit": (np.array([np.log(0.8 / 0.2), 0.25, -0.3]), 0.35)}
PLUG_IN_FLOOR = 1e-6


def wave(rng: np.random.Generator):
    """Sample sizes 7..400 and the design matrix (intercept, dossiers, kind), fixed."""
    n = np.clip(np.round(np.exp(rng.normal(np.log(40), 0.9, AREAS))), 7, 400).astype(int)
    n[np.argmin(n)], n[np.argmax(n)] = 7, 400
    dossiers = np.log(n) + rng.normal(0, 0.5, AREAS)
    kind = (rng.random(AREAS) < 0.3).astype(float)          # 1 = phường (urban ward)
    X = np.column_stack([np.ones(AREAS), (dossiers - dossiers.mean()) / dossiers.std(), kind])
    return n, X


def draw(rng, n, X, replications, scale="arcsine"):
    """True shares and observed shares, one row per replication."""
    beta, sigma = TRUTHS[scale]
    truth = scales.back(scale, X @ beta + rng.normal(0, sigma, (replications, AREAS)))
    return truth, rng.binomial(n, truth) / n


def fh_intervals(observed, n, X, transform, interval="mse", rng=None, replicates=0, chunk=1):
    """EBLUP and back-transformed interval ends for every replication (REML, YL fallback)."""
    if transform == "arcsine":
        y, D = scales.forward("arcsine", observed, None, n)
    else:
        y, D = observed, np.maximum(observed * (1 - observed) / n, PLUG_IN_FLOOR)
    A, adjusted, eblup, synthetic, gamma, mse, *_ = fit_many(y, D, X, "reml", "yoshimori-lahiri")
    if interval == "bootstrap":
        low, high = np.empty_like(eblup), np.empty_like(eblup)
        for start in range(0, len(eblup), chunk):
            rows = slice(start, start + chunk)
            low[rows], high[rows] = pivot_quantiles(synthetic[rows], A[rows], D, X, "reml",
                                                    "yoshimori-lahiri", replicates, rng, LEVEL)
        root_g1 = np.sqrt(gamma * D)
        ends = eblup + low * root_g1, eblup + high * root_g1
    else:
        half = (mse_half_width(mse, LEVEL) if interval == "mse"
                else robust_half_width(A, D, LEVEL))
        ends = eblup - half, eblup + half
    back = (lambda v: scales.back("arcsine", v)) if transform == "arcsine" else (lambda v: v)
    return back(eblup), back(ends[0]), back(ends[1]), adjusted.mean()


def coverage_row(name, truth, low, high, n):
    covered = (low <= truth) & (truth <= high)
    per_area = covered.mean(axis=0)
    smallest = np.argsort(n, kind="stable")[: int(np.ceil(AREAS / 4))]
    worst = int(np.argmin(per_area))
    return {"method": name, "overall": covered.mean(),
            "smallest_quartile": per_area[smallest].mean(),
            "worst_area": per_area[worst], "worst_n": int(n[worst]),
            "mean_length": float(np.mean(high - low)),
            "smallest_length": float(np.mean((high - low)[:, smallest]))}


def rmse_reduction(truth, estimate, observed):
    model = np.sqrt(np.mean((estimate - truth) ** 2, axis=0))
    direct = np.sqrt(np.mean((observed - truth) ** 2, axis=0))
    return float(np.mean(1 - model / direct))


def estimated_cv(rng, n, X, observed, replications, bootstrap):
    """Estimated CVs (direct: plug-in; arcsine FH: bootstrap MSE) on a few replications."""
    direct_cv, model_cv = [], []
    for p in observed[:replications]:
        result = small_area_estimates(p, p * (1 - p) / n, X, transform="arcsine", n_eff=n,
                                      replicates=bootstrap, seed=int(rng.integers(1 << 31)))
        with np.errstate(divide="ignore", invalid="ignore"):
            direct_cv.append(np.sqrt(p * (1 - p) / n) / p)
        model_cv.append(np.sqrt(result.mse) / result.eblup)
    direct_cv, model_cv = np.array(direct_cv), np.array(model_cv)
    defined = direct_cv > 0  # a share of 1 has a plug-in CV of 0
    return {"mean_cv_direct": float(np.mean(direct_cv[defined])),
            "mean_cv_model": float(np.mean(model_cv[defined])),
            "mean_cv_reduction": float(np.mean(1 - model_cv[defined] / direct_cv[defined])),
            "cv_below_20_direct": float(np.mean(direct_cv < 0.2)),
            "cv_below_20_model": float(np.mean(model_cv < 0.2)),
            "direct_cv_zero_share": float(np.mean(~defined))}


def _clock():
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (time.perf_counter(), own.ru_utime + own.ru_stime,
            children.ru_utime + children.ru_stime)


def _since(start):
    now = _clock()
    return {"wall_s": now[0] - start[0], "cpu_s": now[1] - start[1] + now[2] - start[2]}


def timings(rng, n, X, bootstrap):
    """One fit with analytical MSE, one with the bootstrap, in process and as the command
    (wall and CPU seconds: on a shared machine the CPU time is the steadier figure)."""
    _, observed = draw(rng, n, X, 1)
    p = observed[0]
    result = {}
    start = _clock()
    small_area_estimates(p, np.maximum(p * (1 - p) / n, PLUG_IN_FLOOR), X)
    result["fit with Prasad-Rao MSE"] = _since(start)
    start = _clock()
    small_area_estimates(p, p * (1 - p) / n, X, transform="arcsine", n_eff=n, replicates=bootstrap,
                         seed=1)
    result[f"arcsine fit + {bootstrap}-replicate bootstrap"] = _since(start)
    for interval in ("robust", "bootstrap"):
        start = _clock()
        small_area_estimates(p, p * (1 - p) / n, X, transform="arcsine", n_eff=n,
                             replicates=bootstrap, seed=1, interval=interval)
        result[f"arcsine fit + {bootstrap}-replicate bootstrap, {interval} interval"] = _since(start)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "wave.csv")
        pd.DataFrame({"code": [f"L{k:03d}" for k in range(AREAS)], "p": p,
                      # floored as in process: the plain command rejects a variance of 0
                      "v": np.maximum(p * (1 - p) / n, PLUG_IN_FLOOR),
                      "n": n, "dossiers": X[:, 1],
                      "kind": np.where(X[:, 2] == 1, "phuong", "xa")}).to_csv(path, index=False)
        fh = [sys.executable, "-m", "analysis", "fh", path, "--area", "code", "--estimate",
              "p", "--variance", "v", "--covariates", "dossiers,kind", "--format", "json"]
        arcsine = ["--transform", "arcsine", "--n-eff", "n", "--replicates", str(bootstrap),
                   "--seed", "1"]
        commands = (("command: fh", fh), ("command: fh --transform arcsine", fh + arcsine),
                    ("command: python -m analysis --help (start-up alone)",
                     [sys.executable, "-m", "analysis", "--help"]))
        for name, command in commands:
            start = _clock()
            subprocess.run(command, check=True, capture_output=True,
                           cwd=Path(__file__).resolve().parents[1])
            result[name] = _since(start)
    return result


def coverage_table(scale, truth, observed, n, X, rng, replicates, chunk):
    """Print the coverage table and root-MSE reductions for one truth."""
    rows, reductions, spent = [], {}, {}
    models = (("FH arcsine, EBLUP ± z√MSE (Prasad–Rao)", "arcsine", "mse"),
              (f"FH arcsine, parametric bootstrap (CLL, {replicates} replicates)", "arcsine",
               "bootstrap"),
              ("FH arcsine, robust EBCI (AKP, 2nd moment)", "arcsine", "robust"),
              ("FH raw shares, plug-in D, EBLUP ± z√MSE", "none", "mse"))
    for name, transform, interval in models:
        start = _clock()
        with np.errstate(divide="ignore", invalid="ignore"):
            estimate, low, high, adjusted = fh_intervals(observed, n, X, transform, interval, rng,
                                                         replicates, chunk)
        spent[name] = _since(start)
        rows.append(coverage_row(name, truth, low, high, n) | {"fallback_share": adjusted})
        if interval == "mse":
            reductions[name] = rmse_reduction(truth, estimate, observed)
    half = stats.norm.ppf(0.5 + LEVEL / 2) * np.sqrt(observed * (1 - observed) / n)
    rows.append(coverage_row("direct (Wald)", truth, observed - half, observed + half, n)
                | {"fallback_share": float("nan")})
    print(f"\n## truth normal on the {scale} scale: true shares "
          f"{truth.min():.2f}..{truth.max():.2f}"
          f" (mean {truth.mean():.3f}, 5-95% {np.quantile(truth, 0.05):.2f}.."
          f"{np.quantile(truth, 0.95):.2f})")
    print("| method | overall | smallest-n quartile | worst area (its n) | mean length "
          "| mean length, smallest-n quartile | σu²=0 fallback |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['method']} | {r['overall']:.1%} | {r['smallest_quartile']:.1%} | "
              f"{r['worst_area']:.1%} (n={r['worst_n']}) | {r['mean_length']:.3f} | "
              f"{r['smallest_length']:.3f} | {r['fallback_share']:.1%} |")
    for name, value in reductions.items():
        print(f"root-MSE reduction against direct, mean over areas, {name}: {value:.1%}")
    for name, time_spent in spent.items():
        print(f"all replications, {name}: {time_spent['wall_s']:.2f} s wall, "
              f"{time_spent['cpu_s']:.2f} s CPU")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=1000)
    parser.add_argument("--cv-replications", type=int, default=10)
    parser.add_argument("--bootstrap", type=int, default=500)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--interval-replicates", type=int, default=500,
                        help="bootstrap replicates per replication for the CLL interval")
    parser.add_argument("--chunk", type=int, default=10,
                        help="replications whose bootstrap replicates are refitted in one pass")
    parser.add_argument("--truth", nargs="+", choices=tuple(TRUTHS), default=None,
                        help="default: both for binomial, arcsine for desk-day")
    parser.add_argument("--scenario", choices=("binomial", "desk-day"), default="binomial")
    parser.add_argument("--icc", type=float, default=0.1,
                        help="desk-day scenario: intra-cluster correlation of the answers")
    parser.add_argument("--day-mean", type=float, default=5.0,
                        help="desk-day scenario: mean answers per desk-day")
    parser.add_argument("--oracle-bootstrap", action="store_true",
                        help="desk-day scenario: also the CLL interval with the true variances "
                             "(two more minutes of CPU)")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    # the CLL bootstrap draws from its own stream, so the simulated data stay those of the seed
    bootstrap_rng = np.random.default_rng([args.seed, 1])
    if args.scenario == "desk-day":
        return desk_day_main(args, rng, bootstrap_rng)
    args.truth = args.truth or list(TRUTHS)
    n, X = wave(rng)
    print(f"# {args.replications} replications, {AREAS} areas, n {n.min()}..{n.max()} "
          f"(median {int(np.median(n))}), smallest-n quartile n <= "
          f"{int(np.sort(n)[int(np.ceil(AREAS / 4)) - 1])}, nominal {LEVEL:.0%}; seed {args.seed}")
    for scale in args.truth:
        truth, observed = draw(rng, n, X, args.replications, scale)
        coverage_table(scale, truth, observed, n, X, bootstrap_rng, args.interval_replicates,
                       args.chunk)
    _, observed = draw(rng, n, X, args.cv_replications)
    cv = estimated_cv(rng, n, X, observed, args.cv_replications, args.bootstrap)
    print(f"\nestimated CV over {args.cv_replications} replications, arcsine truth (arcsine FH, "
          f"bootstrap MSE {args.bootstrap}): " + ", ".join(f"{k} {v:.3f}" for k, v in cv.items()))
    print("\n| timing (102 areas) | wall s | CPU s |\n|---|---|---|")
    for name, spent in timings(rng, n, X, args.bootstrap).items():
        print(f"| {name} | {spent['wall_s']:.3f} | {spent['cpu_s']:.3f} |")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, numpy {np.__version__}, load average "
          f"{os.getloadavg()[0]:.1f}")
    return 0



# --- the real-wave scenario (issue 21) -------------------------------------------------------

EMPTY_AREAS = 6
#: a commune the "before" method cannot model gets this variance: no weight in the fit
NOT_MODELLED = 1e6
#: the worst area is taken among areas the method modelled in at least this share of replications
WORST_AREA_MIN_SHARE = 0.1


def desk_day_wave(rng: np.random.Generator, day_mean: float):
    """n 1..300 for 102 communes (median about 12), their desk-days, and X for 108 communes
    (the last ``EMPTY_AREAS`` with no response), fixed for every replication."""
    n = np.clip(np.round(np.exp(rng.normal(np.log(12), 1.1, AREAS))), 1, 300).astype(int)
    n[np.argmin(n)], n[np.argmax(n)] = 1, 300
    day_area, day_size = [], []
    for area, total in enumerate(n):
        left = total
        while left > 0:
            size = min(left, 1 + int(rng.poisson(day_mean - 1)))
            day_area.append(area)
            day_size.append(size)
            left -= size
    everyone = AREAS + EMPTY_AREAS
    dossiers = np.log(np.r_[n, np.full(EMPTY_AREAS, 3)]) + rng.normal(0, 0.5, everyone)
    kind = (rng.random(everyone) < 0.3).astype(float)
    X = np.column_stack([np.ones(everyone), (dossiers - dossiers.mean()) / dossiers.std(), kind])
    return n, np.array(day_area), np.array(day_size), X


def desk_day_draw(rng, n, day_area, day_size, X, replications, scale, icc):
    """True shares (R, 108), and the desk-day totals (R, days) of the 102 communes with answers."""
    beta, sigma = TRUTHS[scale]
    truth = scales.back(scale, X @ beta + rng.normal(0, sigma, (replications, len(X))))
    # a beta law around the commune's share with intra-cluster correlation icc;
    # kept off 0 and 1 so both shape parameters stay positive
    p = np.clip(truth[:, day_area], 1e-6, 1 - 1e-6)
    spread = (1 - icc) / icc
    day_share = rng.beta(p * spread, (1 - p) * spread)
    return truth, rng.binomial(day_size, day_share)


def direct_design(totals, n, day_area, day_size):
    """p̂, the ultimate-cluster variance v (NaN with one desk-day) and deff (NaN where not estimable)."""
    members = np.zeros((len(day_area), AREAS))
    members[np.arange(len(day_area)), day_area] = 1.0
    days = members.sum(axis=0)
    share = (totals @ members) / n
    resid = totals - share[:, day_area] * day_size
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.where(days >= 2, (resid ** 2 @ members) * days / (days - 1) / n ** 2, np.nan)
        srs = share * (1 - share) / (n - 1)
        deff = np.where((days >= 2) & (srs > 0), v / srs, np.nan)
    return share, v, deff


def true_deff(n, day_area, day_size, icc):
    """``Σ m_d(1 + (m_d − 1)ρ)/n``: the design effect of each commune's share."""
    return np.bincount(day_area, weights=day_size * (1 + (day_size - 1) * icc),
                       minlength=AREAS) / n


def fh_given(y, D, X, interval, rng, replicates, chunk):
    """EBLUP and interval ends (model scale) for rows of y with their own D (R, m); and the fits."""
    parts = fit_many(y, D, X, "reml", "yoshimori-lahiri")
    A, adjusted, eblup, synthetic, gamma, mse = parts[:6]
    if interval == "bootstrap":
        low, high = np.empty_like(eblup), np.empty_like(eblup)
        for start in range(0, len(eblup), chunk):
            rows = slice(start, start + chunk)
            low[rows], high[rows] = pivot_quantiles(synthetic[rows], A[rows], D[rows], X, "reml",
                                                    "yoshimori-lahiri", replicates, rng, LEVEL)
        root_g1 = np.sqrt(gamma * D)
        ends = eblup + low * root_g1, eblup + high * root_g1
    else:
        half = mse_half_width(mse, LEVEL)
        ends = eblup - half, eblup + half
    return eblup, ends[0], ends[1], parts


def masked_coverage(name, truth, low, high, n, mask=None):
    """Coverage among the (replication, area) pairs in ``mask`` (all when None)."""
    covered = (low <= truth) & (truth <= high)
    mask = np.ones_like(covered) if mask is None else mask
    smallest = np.argsort(n, kind="stable")[: int(np.ceil(AREAS / 4))]
    counts = mask.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_area = (covered & mask).sum(axis=0) / counts
    eligible = counts >= WORST_AREA_MIN_SHARE * len(truth)
    worst = int(np.flatnonzero(eligible)[np.argmin(per_area[eligible])])
    length = np.where(mask, high - low, np.nan)
    return {"method": name, "overall": float(covered[mask].mean()),
            "smallest_quartile": float((covered & mask)[:, smallest].sum() / mask[:, smallest].sum()),
            "worst_area": float(per_area[worst]), "worst_n": int(n[worst]),
            "no_estimate": float(1 - mask.mean()),
            "no_estimate_smallest": float(1 - mask[:, smallest].mean()),
            "mean_length": float(np.nanmean(length)),
            "smallest_length": float(np.nanmean(length[:, smallest]))}


def desk_day_table(scale, args, rng, bootstrap_rng, wave_parts):
    n, day_area, day_size, X_all = wave_parts
    X = X_all[:AREAS]
    truth_all, totals = desk_day_draw(rng, n, day_area, day_size, X_all, args.replications, scale,
                                      args.icc)
    truth = truth_all[:, :AREAS]
    share, v, deff = direct_design(totals, n, day_area, day_size)
    y = np.arcsin(np.sqrt(share))
    rows, spent = [], {}
    # before: the commune's own variance, as the report did until issue 21
    own = np.isfinite(v) & (v > 0) & (share > 0) & (share < 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        D_before = np.where(own, v / (4 * share * (1 - share)), NOT_MODELLED)
    # after: the GVF, the report's own code, one call per replication
    start = _clock()
    gvfs = [smoothed_variances(n, share[r], np.sqrt(v[r]), deff[r])
            for r in range(args.replications)]
    spent["GVF, all replications"] = _since(start)
    D_after = np.array([1 / (4 * g.effective_n) for g in gvfs])
    D_oracle = np.broadcast_to(true_deff(n, day_area, day_size, args.icc) / (4 * n), y.shape)
    methods = (("before: own SE, EBLUP ± z√MSE", D_before, "mse", own),
               (f"before: own SE, CLL bootstrap ({args.interval_replicates})", D_before,
                "bootstrap", own),
               ("after: GVF, EBLUP ± z√MSE", D_after, "mse", None),
               (f"**after: GVF, CLL bootstrap ({args.interval_replicates})** (the report's)",
                D_after, "bootstrap", None),
               ("oracle: true design variance, EBLUP ± z√MSE", np.array(D_oracle), "mse", None))
    if args.oracle_bootstrap:
        methods += ((f"oracle: true design variance, CLL bootstrap ({args.interval_replicates})",
                     np.array(D_oracle), "bootstrap", None),)
    synthetic_rows = []
    for name, D, interval, mask in methods:
        start = _clock()
        eblup, low, high, parts = fh_given(y, D, X, interval, bootstrap_rng,
                                           args.interval_replicates, args.chunk)
        spent[name] = _since(start)
        back = scales.back("arcsine", np.array([low, high]))
        rows.append(masked_coverage(name, truth, back[0], back[1], n, mask)
                    | {"fallback_share": float(parts[1].mean())})
        if name.startswith("after") and interval == "mse":
            synthetic_rows.append(_synthetic_coverage(parts, truth_all[:, AREAS:], X_all[AREAS:]))
    with np.errstate(invalid="ignore"):
        half = stats.norm.ppf(0.5 + LEVEL / 2) * np.sqrt(v)
    rows.append(masked_coverage("direct, own SE (Wald, where the SE is > 0)", truth, share - half,
                                share + half, n, np.isfinite(v) & (v > 0)))
    print(f"\n## truth normal on the {scale} scale, answers clustered by desk-day (ICC {args.icc}):"
          f" true shares 5-95% {np.quantile(truth, 0.05):.2f}..{np.quantile(truth, 0.95):.2f}")
    print("| method | overall | thinnest quartile | worst area (its n) | no estimate: all / "
          "thinnest quartile | mean length | mean length, thinnest quartile | σu²=0 fallback |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['method']} | {r['overall']:.1%} | {r['smallest_quartile']:.1%} | "
              f"{r['worst_area']:.1%} (n={r['worst_n']}) | {r['no_estimate']:.1%} / "
              f"{r['no_estimate_smallest']:.1%} | {r['mean_length']:.3f} | "
              f"{r['smallest_length']:.3f} | {r.get('fallback_share', float('nan')):.1%} |")
    print("| target | ≥ 94 % | ≥ 93 % | ≥ 90 % | | | | |")
    for r in synthetic_rows:
        print(f"communes with no response ({EMPTY_AREAS}), synthetic x'β̂ ± z√(σu² + x'Qx), GVF fit: "
              f"coverage {r['overall']:.1%}, worst of them {r['worst']:.1%}, "
              f"mean length {r['length']:.3f}")
    pooled = np.array([g.deff for g in gvfs])
    kappa = np.array([g.kappa for g in gvfs])
    truth_deff = true_deff(n, day_area, day_size, args.icc)
    print(f"pooled deff over replications: mean {pooled.mean():.3f} (5-95% "
          f"{np.quantile(pooled, 0.05):.2f}..{np.quantile(pooled, 0.95):.2f}); true deff, n-weighted "
          f"mean {n @ truth_deff / n.sum():.3f}, range {truth_deff.min():.2f}..{truth_deff.max():.2f}; "
          f"κ mean {kappa.mean():.3f}; communes with an estimable deff per replication: mean "
          f"{np.mean([g.deff_areas for g in gvfs]):.1f} of {AREAS}")
    for name, time_spent in spent.items():
        print(f"all replications, {name}: {time_spent['wall_s']:.2f} s wall, "
              f"{time_spent['cpu_s']:.2f} s CPU")


def _synthetic_coverage(parts, truth, X_empty):
    """Coverage of the synthetic interval for the communes with no response, per replication's fit."""
    A, beta, Q = parts[0], parts[6], parts[7]
    covered, lengths = [], []
    for r in range(len(A)):
        fit = type("Fit", (), {"beta": beta[r], "beta_cov": Q[r], "variance_component": A[r],
                               "design": X_empty})
        got = synthetic_estimates(fit, X_empty, transform="arcsine", level=LEVEL)
        covered.append((got.ci_low <= truth[r]) & (truth[r] <= got.ci_high))
        lengths.append(got.ci_high - got.ci_low)
    covered = np.array(covered)
    return {"overall": float(covered.mean()), "worst": float(covered.mean(axis=0).min()),
            "length": float(np.mean(lengths))}


def desk_day_main(args, rng, bootstrap_rng) -> int:
    start = _clock()
    wave_parts = desk_day_wave(rng, args.day_mean)
    n, day_area, day_size, _ = wave_parts
    days = np.bincount(day_area, minlength=AREAS)
    quartile = int(np.sort(n)[int(np.ceil(AREAS / 4)) - 1])
    print(f"# desk-day scenario: {args.replications} replications, {AREAS} communes with answers "
          f"(n {n.min()}..{n.max()}, median {int(np.median(n))}, {np.mean(n <= 10):.0%} with n <= 10, "
          f"thinnest quartile n <= {quartile}) and {EMPTY_AREAS} with none; {len(day_area)} desk-days "
          f"({np.mean(days == 1):.0%} of communes have one), mean {n.sum() / len(day_area):.1f} answers "
          f"per desk-day, ICC {args.icc}; nominal {LEVEL:.0%}; seed {args.seed}")
    for scale in args.truth or ["arcsine"]:
        desk_day_table(scale, args, rng, bootstrap_rng, wave_parts)
    total = _since(start)
    print(f"\nwhole run: {total['wall_s']:.0f} s wall, {total['cpu_s']:.0f} s CPU; machine: "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, numpy {np.__version__}, load average "
          f"{os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
