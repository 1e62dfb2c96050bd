#!/usr/bin/env python3
"""Batches of growing size through `passeur translate`: peak memory, throughput, reruns.

Usage: python3 tools/bench_batches.py [--passeur target/release/passeur]
                                      [--model tests/fixtures/tiny-fr-en] [SIZE...]

For each size (default 300 3000 30000), a batch of that many articles is made by varying
the example articles (each article takes 8 of their sentences, chosen by a seeded random
generator, each with its own dispatch number, so sentences do not repeat across articles
and the engine has real work), then:

1. a first run into a fresh folder: wall time, articles per second, peak RSS (the kernel's
   high-water mark of the child, from getrusage);
2. the same command again, nothing changed: its time as a share of the first run's;
3. 1% new articles added, the same command again: how many it translated.

The figures are the README's "Batches" table. Nothing here is a test: it measures.
"""

import argparse
import json
import random
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def example_sentences() -> list:
    """The sentences of the example articles, split on the French sentence ends roughly:
    good enough to vary them."""
    sentences = []
    for path in sorted((REPO / "examples" / "articles").iterdir()):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip().lstrip("#-0123456789. ").strip()
            for part in line.replace("? ", "?\n").replace(". ", ".\n").splitlines():
                if len(part.split()) >= 4:
                    sentences.append(part.strip())
    return sentences


def make_batch(folder: Path, start: int, count: int, pool: list) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(start, start + count):
        rng = random.Random(n)
        picked = rng.sample(pool, 8)
        lines = [f"{s.rstrip('.')} (dépêche {n}-{i})." for i, s in enumerate(picked)]
        text = " ".join(lines[:4]) + "\n\n" + " ".join(lines[4:]) + "\n"
        (folder / f"{n // 1000:03d}" / f"a{n:06d}.txt").parent.mkdir(exist_ok=True)
        (folder / f"{n // 1000:03d}" / f"a{n:06d}.txt").write_text(text, encoding="utf-8")


def run(args, inputs: Path, out: Path) -> dict:
    command = [args.passeur, "translate", str(inputs), "-o", str(out), "--model", args.model,
               "--offline", "--quiet"]
    start = time.perf_counter()
    result = subprocess.run(command)
    seconds = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(f"passeur failed ({result.returncode}): {' '.join(command)}")
    report = json.loads((out / "run.json").read_text(encoding="utf-8"))
    return {"seconds": seconds, "report": report,
            "peak_rss_mb": (report.get("peak_rss_bytes") or 0) / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[300, 3000, 30000])
    parser.add_argument("--passeur", default=str(REPO / "target" / "release" / "passeur"))
    parser.add_argument("--model", default=str(REPO / "tests" / "fixtures" / "tiny-fr-en"))
    args = parser.parse_args()
    pool = example_sentences()
    print(f"{len(pool)} example sentences; model {args.model}")
    print("| articles | first run | articles/s | peak RSS | rerun, nothing changed | "
          "+1% articles: translated, time |")
    print("|---|---|---|---|---|---|")
    for size in args.sizes:
        work = Path(tempfile.mkdtemp(prefix="passeur-batches-"))
        try:
            inputs, out = work / "in", work / "out"
            make_batch(inputs, 0, size, pool)
            first = run(args, inputs, out)
            again = run(args, inputs, out)
            added = max(1, size // 100)
            make_batch(inputs, size, added, pool)
            more = run(args, inputs, out)
            counts = more["report"]["counts"]
            assert again["report"]["counts"]["articles_translated"] == 0
            print(f"| {size:,} | {first['seconds']:.1f} s | {size / first['seconds']:.0f} | "
                  f"{first['peak_rss_mb']:.0f} MB | {again['seconds']:.2f} s "
                  f"({100 * again['seconds'] / first['seconds']:.1f}%) | "
                  f"{counts['articles_translated']} of {added} new, {more['seconds']:.1f} s |",
                  flush=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
