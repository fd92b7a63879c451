#!/usr/bin/env python3
"""Check searchrec's retrieval metrics against trec_eval, through pytrec_eval.

Usage:
    python3 scripts/trec_eval_check.py QRELS RUN METRICS_JSON
    python3 scripts/trec_eval_check.py --run-dir RUN_DIR

The second form checks a folder written by `searchrec run`: for every engine
run with a TREC run file, the means of the `all` query set in results.json
against trec_eval's on `qrels.txt` and `runs/<engine>.txt`.

QRELS is TREC qrels text (`qid 0 docno level`, levels E=3 S=2 C=1 I=0), RUN
a TREC run file (`qid Q0 docno rank score run_id`) and METRICS_JSON what
`searchrec_harness::metrics::write_metrics_json` wrote for that run. A fixture
with the awkward cases (queries without qrels, without relevant items, with an
empty list; lists shorter than k; unjudged items; ESCI's swapped gains):

    mkdir -p /tmp/trec_check
    SEARCHREC_TREC_CHECK_DIR=/tmp/trec_check \
        cargo test -p searchrec-harness export_trec_eval_check_fixture -- --ignored
    python3 scripts/trec_eval_check.py /tmp/trec_check/{qrels.txt,run.txt,metrics.json}

Each searchrec value is compared with a trec_eval measure to 1e-6:

    ndcg_at_k          ndcg_cut.k   on qrels whose rel is gain × scale (nDCG is scale-free;
    ndcg               ndcg         trec_eval's ndcg_cut reads gains from the qrels)
    recall_at_k        recall.k     relevance_level = relevant_from
    success_at_k       success.k    relevance_level = relevant_from
    average_precision  map          relevance_level = relevant_from
    mrr_at_k           recip_rank   on the run cut to its top k (trec_eval's has no cutoff)

trec_eval scores only queries both judged and retrieved; the others must be 0
in searchrec, and the means are checked under the JSON's query policy.
Exit status: 0 agree, 1 disagree, 2 usage error or pytrec_eval missing.
Not part of CI: it needs pytrec_eval (`pip install pytrec_eval-terrier`).
"""

import json
import sys

TOLERANCE = 1e-6


def fail(message, status=2):
    print(f"trec_eval_check: {message}", file=sys.stderr)
    sys.exit(status)


def read_qrels(path):
    qrels = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            parts = line.split()
            if len(parts) != 4:
                fail(f"{path}:{n}: expected `qid 0 docno rel`")
            qid, _, doc, rel = parts
            if doc in qrels.setdefault(qid, {}):
                fail(f"{path}:{n}: query {qid} judges {doc} twice")
            qrels[qid][doc] = int(rel)
    return qrels


def read_run(path):
    run = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            parts = line.split()
            if len(parts) != 6:
                fail(f"{path}:{n}: expected `qid Q0 docno rank score run_id`")
            qid, _, doc, _, score, _ = parts
            if doc in run.setdefault(qid, {}):
                fail(f"{path}:{n}: query {qid} lists {doc} twice")
            run[qid][doc] = float(score)
    return run


def integer_scale(gains):
    """The smallest power of ten turning every gain into an integer trec_eval accepts (≤ 127)."""
    for scale in (1, 10, 100, 1000):
        scaled = [g * scale for g in gains.values()]
        if all(abs(s - round(s)) < 1e-9 and round(s) <= 127 for s in scaled):
            return scale
    fail(f"gains {gains} are not integers ≤ 127 at any scale 1..1000; trec_eval cannot express them")


def top_k(run, k):
    """Each query's top k in trec_eval's order: score descending, docno descending."""
    cut = {}
    for qid, docs in run.items():
        ranked = sorted(docs.items(), key=lambda d: (d[1], d[0]), reverse=True)[:k]
        cut[qid] = dict(ranked)
    return cut


LEVELS = {"irrelevant": 0, "complement": 1, "substitute": 2, "exact": 3}


def trec_eval_means(pytrec_eval, qrels, run, k, threshold, gains):
    """Per-query trec_eval values of every searchrec metric, keyed like searchrec's fields."""
    scale = integer_scale(gains)
    gain_qrels = {q: {d: round(gains[rel] * scale) for d, rel in docs.items()} for q, docs in qrels.items()}
    by_level = pytrec_eval.RelevanceEvaluator(qrels, {f"recall.{k}", f"success.{k}", "map"}, relevance_level=threshold)
    by_gain = pytrec_eval.RelevanceEvaluator(gain_qrels, {f"ndcg_cut.{k}", "ndcg"})
    rr = pytrec_eval.RelevanceEvaluator(qrels, {"recip_rank"}, relevance_level=threshold)
    theirs = by_level.evaluate(run)
    for qid, values in by_gain.evaluate(run).items():
        theirs[qid].update(values)
    for qid, values in rr.evaluate(top_k(run, k)).items():
        theirs[qid]["mrr_at_k"] = values["recip_rank"]
    return theirs


def check_run_dir(directory):
    import os
    try:
        import pytrec_eval
    except ImportError:
        fail("pytrec_eval is not installed; `pip install pytrec_eval-terrier` (or pytrec_eval) and rerun")
    with open(os.path.join(directory, "results.json")) as f:
        results = json.load(f)
    ev = results["evaluation"]
    k = ev["k"]
    threshold = LEVELS[ev["relevant_from"]]
    gains = {LEVELS[name]: gain for name, gain in ev["gains"].items()}
    qrels = read_qrels(os.path.join(directory, "qrels.txt"))
    judged = {q for q, docs in qrels.items() if docs}
    fields = {"ndcg_at_k": f"ndcg_cut_{k}", "ndcg": "ndcg", "recall_at_k": f"recall_{k}",
              "success_at_k": f"success_{k}", "map": "map", "mrr_at_k": "mrr_at_k"}
    problems, checked = [], 0
    for engine in results["engines"]:
        if not engine.get("trec_run"):
            continue
        row = next((q for q in engine["quality"] if q["query_set"] == "all"), None)
        if row is None:
            continue
        run = read_run(os.path.join(directory, engine["trec_run"]))
        theirs = trec_eval_means(pytrec_eval, qrels, run, k, threshold, gains)
        counted = {"judged_and_retrieved": len(theirs), "judged": len(judged),
                   "all": results["world"]["queries"]}[ev["policy"]]
        mean = row["mean"]
        if counted != mean["queries"]:
            problems.append(f"{engine['id']}: {mean['queries']} queries averaged, trec_eval policy gives {counted}")
        worst = 0.0
        for field, measure in fields.items():
            expected = sum(v[measure] for v in theirs.values()) / counted
            diff = abs(mean[field] - expected)
            worst = max(worst, diff)
            if diff > TOLERANCE:
                problems.append(f"{engine['id']} {field}: searchrec {mean[field]!r}, trec_eval {expected!r}")
        checked += 1
        print(f"  {engine['id']:<40} {len(theirs)} queries scored, max |diff| of the means {worst:.3g}")
    if checked == 0:
        fail(f"{directory}: no engine run with a TREC run file and an `all` query set")
    if problems:
        for p in problems[:20]:
            print(f"  MISMATCH {p}", file=sys.stderr)
        fail(f"{len(problems)} mismatches", status=1)
    print(f"{checked} engine runs agree with trec_eval to 1e-6")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--run-dir":
        check_run_dir(sys.argv[2])
        return
    if len(sys.argv) != 4:
        fail("usage: trec_eval_check.py QRELS RUN METRICS_JSON")
    try:
        import pytrec_eval
    except ImportError:
        fail("pytrec_eval is not installed; `pip install pytrec_eval-terrier` (or pytrec_eval) and rerun")

    qrels_path, run_path, metrics_path = sys.argv[1:]
    with open(metrics_path) as f:
        ours = json.load(f)
    if ours.get("format") != "searchrec-metrics/1":
        fail(f"{metrics_path}: not a searchrec-metrics/1 file")
    k = ours["k"]
    threshold = ours["relevant_from"]
    gains = {int(level): gain for level, gain in ours["gains"].items()}
    per_query = {q["query"]: q for q in ours["queries"]}

    qrels = read_qrels(qrels_path)
    run = read_run(run_path)
    scale = integer_scale(gains)
    theirs = trec_eval_means(pytrec_eval, qrels, run, k, threshold, gains)

    pairs = {
        "ndcg_at_k": f"ndcg_cut_{k}",
        "ndcg": "ndcg",
        "recall_at_k": f"recall_{k}",
        "success_at_k": f"success_{k}",
        "average_precision": "map",
        "mrr_at_k": "mrr_at_k",
    }
    problems = []
    worst = {field: 0.0 for field in pairs}
    for qid, values in theirs.items():
        mine = per_query.get(qid)
        if mine is None:
            problems.append(f"query {qid}: scored by trec_eval, missing from {metrics_path}")
            continue
        for field, measure in pairs.items():
            diff = abs(mine[field] - values[measure])
            worst[field] = max(worst[field], diff)
            if diff > TOLERANCE:
                problems.append(f"query {qid} {field}: searchrec {mine[field]!r}, trec_eval {measure} {values[measure]!r}")
    # Queries trec_eval skips: unjudged or with an empty list must score 0 here.
    for qid, mine in per_query.items():
        if qid in theirs:
            continue
        if mine["judged"] > 0 and mine["retrieved"] > 0:
            problems.append(f"query {qid}: judged and retrieved, but trec_eval did not score it")
        elif any(mine[field] != 0 for field in pairs):
            problems.append(f"query {qid}: skipped by trec_eval, yet non-zero here")

    # Means: trec_eval's mean over the scored queries, divided by the count
    # the policy uses (trec_eval -c divides by every judged query).
    policy = ours["policy"]
    counted = {
        "judged_and_retrieved": len(theirs),
        "judged": sum(1 for q in per_query.values() if q["judged"] > 0),
        "all": len(per_query),
    }[policy]
    if counted != ours["mean"]["queries"]:
        problems.append(f"mean: {ours['mean']['queries']} queries averaged, expected {counted} under `{policy}`")
    means = {"ndcg_at_k": "ndcg_at_k", "ndcg": "ndcg", "recall_at_k": "recall_at_k",
             "success_at_k": "success_at_k", "average_precision": "map", "mrr_at_k": "mrr_at_k"}
    for field, mean_field in means.items():
        expected = sum(v[pairs[field]] for v in theirs.values()) / counted if counted else 0.0
        if abs(ours["mean"][mean_field] - expected) > TOLERANCE:
            problems.append(f"mean {mean_field}: searchrec {ours['mean'][mean_field]!r}, trec_eval {expected!r}")

    print(f"{len(theirs)} queries scored by trec_eval (pytrec_eval), {len(per_query)} in searchrec; "
          f"k={k}, relevant from level {threshold}, gains×{scale} {gains}, policy {policy}")
    for field, measure in pairs.items():
        print(f"  {field:<18} vs {measure:<12} max |diff| {worst[field]:.3g}")
    if problems:
        for p in problems[:20]:
            print(f"  MISMATCH {p}", file=sys.stderr)
        fail(f"{len(problems)} mismatches", status=1)
    print("agree to 1e-6")


if __name__ == "__main__":
    main()
