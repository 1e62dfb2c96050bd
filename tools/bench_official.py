#!/usr/bin/env python3
"""passeur end to end against the official CTranslate2 build, on the same work, in one run.

Run it through tools/bench-official.sh, which makes the virtual environment (the PyPI wheel
of CTranslate2), builds passeur and the OPUS-MT-sized benchmark model.

The two sides:

- passeur: `passeur translate INPUT... -o TMP --model MODEL` as a user runs it, timed as a
  whole process (model loading, reading, segmentation, glossary, translation, checks,
  writing), peak RSS, CPU time and page faults from the kernel (wait4 of that child alone:
  getrusage(RUSAGE_CHILDREN) would report the largest child so far, the wheel's included).
- the wheel: `ctranslate2.Translator.translate_batch` on passeur's own model inputs (the
  unique `model_input`/`source` texts of passeur's aligned.jsonl, tokenised with the
  model's source.spm plus `</s>` unless the model's config has CTranslate2 add it), sorted
  and cut into calls exactly as passeur's batcher does (length-sorted, a call closes at
  --batch-tokens tokens or where the decoding budget changes), each call with passeur's
  budget (`min(2 * length_bucket + 10, 512)`, the same for every input of the call), the
  same beam, compute type and
  thread layout, the calls submitted asynchronously so that every replica stays busy. Its
  time is translation only (the model load is reported apart), so the ratio is strict
  against passeur. Its peak RSS is measured in a child process of its own, its CPU time
  and page faults over the translation.

The ratio printed is wheel time / passeur time: throughput of passeur relative to the wheel
(1.0 = as fast, above 1.0 = faster).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def passeur_run(args, out_dir: Path) -> dict:
    command = [
        args.passeur,
        "translate",
        *args.inputs,
        "-o",
        str(out_dir),
        "--model",
        args.model,
        "--offline",
        "--quiet",
        "--beam-size",
        str(args.beam_size),
        "--batch-tokens",
        str(args.batch_tokens),
        "--replicas",
        str(args.replicas),
        "--threads",
        str(args.replicas * args.threads_per_replica),
        "--compute-type",
        args.compute_type,
    ]
    for glossary in args.glossary:
        command += ["-g", glossary]
    start = time.perf_counter()
    child = subprocess.Popen(command)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1):
        sys.exit(f"passeur failed with exit status {child.returncode}: {' '.join(command)}")
    report = json.loads((out_dir / "run.json").read_text(encoding="utf-8"))
    return {
        "seconds": seconds,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "system_seconds": usage.ru_stime,
        "page_faults": usage.ru_minflt + usage.ru_majflt,
        "report": report,
    }


def model_inputs(out_dir: Path) -> list:
    """The unique texts passeur gave its engine, in first-seen order."""
    seen = {}
    with open(out_dir / "aligned.jsonl", encoding="utf-8") as rows:
        for line in rows:
            row = json.loads(line)
            if row.get("memory"):
                continue
            text = row.get("model_input") or row["source"]
            seen.setdefault(text, None)
    return list(seen)


def length_bucket(tokens: int) -> int:
    """passeur's src/translate/batch.rs `length_bucket`."""
    step = max(8, (1 << max(tokens - 1, 0).bit_length()) // 8)
    return max(1, -(-tokens // step)) * step


def budget(tokens: int) -> int:
    """passeur's decoding budget: a function of the input's own length."""
    return min(length_bucket(min(tokens, 512)) * 2 + 10, 512)


def plan_calls(tokens: list, batch_tokens: int) -> list:
    """passeur's batcher (src/translate/batch.rs): sort by (length, index), close a call
    once it holds batch_tokens tokens or when the next input has another budget."""
    order = sorted(range(len(tokens)), key=lambda i: (len(tokens[i]), i))
    calls, current, count = [], [], 0
    for i in order:
        if current and (count >= batch_tokens or budget(len(tokens[i])) != budget(len(tokens[current[0]]))):
            calls.append(current)
            current, count = [], 0
        current.append(i)
        count += len(tokens[i])
    if current:
        calls.append(current)
    return calls


def wheel_child(args, inputs_file: str, result_file: str) -> None:
    """Runs in its own process so that its peak RSS is its own."""
    import ctranslate2
    import sentencepiece as spm

    texts = json.loads(Path(inputs_file).read_text(encoding="utf-8"))
    sp = spm.SentencePieceProcessor(model_file=str(Path(args.model) / "source.spm"))
    # `</s>` appended as CTranslate2's guides do, unless the model's config has CTranslate2
    # append it itself (`add_source_eos`, as the Marian converter writes).
    config = json.loads((Path(args.model) / "config.json").read_text(encoding="utf-8"))
    end = [] if config.get("add_source_eos") else ["</s>"]
    tokens = [sp.encode(t, out_type=str) + end for t in texts]
    calls = plan_calls(tokens, args.batch_tokens)

    start = time.perf_counter()
    translator = ctranslate2.Translator(
        args.model,
        device="cpu",
        compute_type=args.compute_type,
        inter_threads=args.replicas,
        intra_threads=args.threads_per_replica,
    )
    load_seconds = time.perf_counter() - start

    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    pending = []
    for call in calls:
        batch = [tokens[i] for i in call]
        pending.append(
            translator.translate_batch(
                batch,
                beam_size=args.beam_size,
                max_batch_size=args.batch_tokens,
                batch_type="tokens",
                max_input_length=512,
                max_decoding_length=budget(len(batch[0])),
                return_scores=True,
                asynchronous=True,
            )
        )
    target_tokens = 0
    for results in pending:
        for result in results:
            target_tokens += len(result.result().hypotheses[0])
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    Path(result_file).write_text(
        json.dumps(
            {
                "load_seconds": load_seconds,
                "seconds": seconds,
                "inputs": len(tokens),
                "calls": len(calls),
                "source_tokens": sum(len(t) for t in tokens),
                "target_tokens": target_tokens,
                "peak_rss_mb": after.ru_maxrss / 1024,
                "cpu_seconds": (after.ru_utime + after.ru_stime)
                - (before.ru_utime + before.ru_stime),
                "system_seconds": after.ru_stime - before.ru_stime,
                "page_faults": (after.ru_minflt + after.ru_majflt)
                - (before.ru_minflt + before.ru_majflt),
                "version": ctranslate2.__version__,
            }
        ),
        encoding="utf-8",
    )


def wheel_run(args, texts: list, work: Path) -> dict:
    inputs_file = work / "wheel-inputs.json"
    result_file = work / "wheel-result.json"
    inputs_file.write_text(json.dumps(texts), encoding="utf-8")
    command = [sys.executable, __file__, "--wheel-child", str(inputs_file), str(result_file)]
    command += sys.argv[1:]
    subprocess.run(command, check=True)
    return json.loads(result_file.read_text(encoding="utf-8"))


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("--passeur", default="target/release/passeur")
    parser.add_argument("--model", required=True)
    parser.add_argument("-g", "--glossary", action="append", default=[])
    parser.add_argument("--beam-size", type=int, default=4)
    parser.add_argument("--batch-tokens", type=int, default=1024)
    parser.add_argument("--replicas", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--threads-per-replica", type=int, default=1)
    parser.add_argument("--compute-type", default="int8")
    parser.add_argument("--repeat", type=int, default=3,
                        help="alternating runs of each side (best and median reported)")
    parser.add_argument("--wheel-child", nargs=2, metavar=("INPUTS", "RESULT"))
    return parser.parse_args(argv)


def main() -> None:
    args = parse(sys.argv[1:])
    if args.wheel_child:
        wheel_child(args, *args.wheel_child)
        return
    # The two sides alternate, several times, because this machine's speed drifts by a
    # few per cent from minute to minute: each side's best time is compared (best-of-N is
    # the usual robust estimate of what code costs when nothing else interferes), and the
    # medians are printed too.
    passeur_runs, wheel_runs = [], []
    with tempfile.TemporaryDirectory(prefix="passeur-bench-") as tmp:
        work = Path(tmp)
        for n in range(args.repeat):
            out = work / f"out{n}"
            passeur_runs.append(passeur_run(args, out))
            texts = model_inputs(out)
            wheel_runs.append(wheel_run(args, texts, work))
    best = lambda runs: min(runs, key=lambda r: r["seconds"])
    median = lambda runs: sorted(r["seconds"] for r in runs)[len(runs) // 2]
    passeur, wheel = best(passeur_runs), best(wheel_runs)
    report = passeur["report"]
    counts = report["counts"]
    layout = f"{args.replicas} replica(s) x {args.threads_per_replica} thread(s)"
    print(f"input:    {counts['articles']} articles, {counts['segments']} segments, "
          f"{len(texts)} unique model inputs, {wheel['source_tokens']} source tokens")
    print(f"model:    {args.model}, beam {args.beam_size}, {args.compute_type}, {layout}, "
          f"{args.batch_tokens}-token calls ({wheel['calls']}), best of {args.repeat} "
          f"alternating runs")
    print(f"backend:  passeur {report['model'].get('backend', '?')}")
    print(f"passeur:  {passeur['seconds']:8.2f} s end to end (median "
          f"{median(passeur_runs):.2f}; translate stage "
          f"{report['timings_seconds']['translate']:.2f} s), "
          f"{report['throughput']['target_tokens']} target tokens, "
          f"peak RSS {passeur['peak_rss_mb']:.0f} MB, CPU {passeur['cpu_seconds']:.1f} s "
          f"(system {passeur['system_seconds']:.1f} s, {passeur['page_faults']:,} page faults)")
    print(f"wheel:    {wheel['seconds']:8.2f} s translate_batch (median "
          f"{median(wheel_runs):.2f}; +{wheel['load_seconds']:.2f} s load), CTranslate2 "
          f"{wheel['version']}, {wheel['target_tokens']} target tokens, "
          f"peak RSS {wheel['peak_rss_mb']:.0f} MB, CPU {wheel['cpu_seconds']:.1f} s "
          f"(system {wheel['system_seconds']:.1f} s, {wheel['page_faults']:,} page faults)")
    print(f"ratio (passeur throughput / wheel throughput): "
          f"{wheel['seconds'] / passeur['seconds']:.3f} (medians: "
          f"{median(wheel_runs) / median(passeur_runs):.3f}); counting the wheel's model "
          f"load too: {(wheel['seconds'] + wheel['load_seconds']) / passeur['seconds']:.3f}; "
          f"translate stage alone: "
          f"{wheel['seconds'] / report['timings_seconds']['translate']:.3f}")


if __name__ == "__main__":
    main()
