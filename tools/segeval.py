#!/usr/bin/env python3
"""Evaluate `passeur segment` against gold sentence segmentation.

Usage: python3 tools/segeval.py [--bin PATH] [--cmd 'COMMAND {file}'] [--errors N] GOLD.jsonl...

Each gold file holds one JSON object per line: {"id", "text", "sentences", "meta"}, where
`text` is made only of `sentences` (see ../shared/README.md). Boundaries are compared as
character offsets in the text with all whitespace removed, so the score does not depend on
how sentences were joined. Reported per file:

- boundary precision, recall and F1 (the end of the text is not a boundary);
- lenient precision: splits inside gold units listed in meta.suspect_multi_sentence (units
  that hold two sentences in the gold) are not counted as false;
- exact-sentence accuracy: gold sentences whose start and end are both predicted, with no
  split inside;
- the first N errors, with context (--errors).

--cmd scores another segmenter the same way: the command, with {file} replaced by the gold
file's path, must print one JSON object per record with its `id` and `spans` (byte offsets
into the record's text), as `passeur segment` does. That is how sentencex and the SRX rules
were compared with passeur's own rules (see src/segment/rules.rs).
"""

import argparse
import json
import shlex
import subprocess
import sys
from pathlib import Path


def squeeze(text):
    return "".join(c for c in text if not c.isspace())


def boundaries(sentences):
    """Cumulative whitespace-free offsets of sentence ends, the last one excluded."""
    out, total = [], 0
    for s in sentences:
        total += len(squeeze(s))
        out.append(total)
    return out[:-1], total


def run_segmenter(command, path):
    """Predicted sentence spans (byte offsets into each record's text), by record id."""
    result = subprocess.run(command, capture_output=True, check=False)
    if result.returncode not in (0, 1):
        sys.exit(f"{command[0]} failed: {result.stderr.decode()}")
    out = {}
    for line in result.stdout.decode().splitlines():
        record = json.loads(line)
        out[record["id"]] = record["spans"]
    return out


def predicted_boundaries(text, spans):
    """Whitespace-free offsets of the predicted sentence ends, from the byte spans, so that
    text left outside sentences (a list marker such as "- ") cannot shift them."""
    data = text.encode("utf-8")
    ends = []
    for _, end in spans[:-1]:
        ends.append(len(squeeze(data[:end].decode("utf-8"))))
    return ends


def evaluate(records, predicted, max_errors):
    tp = fp = fp_lenient = fn = 0
    exact = total_sentences = 0
    errors = []
    for record in records:
        gold_sentences = record["sentences"]
        gold, length = boundaries(gold_sentences)
        if record["id"] not in predicted:
            errors.append(f"{record['id']}: no prediction")
        pred = predicted_boundaries(record["text"], predicted.get(record["id"], []))
        gold_set, pred_set = set(gold), set(pred)
        suspect = set(record.get("meta", {}).get("suspect_multi_sentence") or [])
        # Whitespace-free [start, end) of each gold sentence.
        starts = [0] + gold
        ends = gold + [length]
        suspect_ranges = [(starts[i], ends[i]) for i in suspect if i < len(starts)]
        flat = squeeze(record["text"])
        for b in sorted(pred_set | gold_set):
            if b in pred_set and b in gold_set:
                tp += 1
            elif b in pred_set:
                fp += 1
                if not any(s < b < e for s, e in suspect_ranges):
                    fp_lenient += 1
                    errors.append(f"{record['id']}: false split: …{flat[max(0, b - 40):b]} ‖ {flat[b:b + 30]}…")
            else:
                fn += 1
                errors.append(f"{record['id']}: missed split: …{flat[max(0, b - 40):b]} ‖ {flat[b:b + 30]}…")
        for s, e in zip(starts, ends):
            total_sentences += 1
            start_ok = s == 0 or s in pred_set
            end_ok = e == length or e in pred_set
            inside = any(s < b < e for b in pred_set)
            if start_ok and end_ok and not inside:
                exact += 1
    precision = tp / (tp + fp) if tp + fp else 1.0
    lenient = tp / (tp + fp_lenient) if tp + fp_lenient else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": 100 * precision,
        "lenient_precision": 100 * lenient,
        "recall": 100 * recall,
        "f1": 100 * f1,
        "exact_sentences": 100 * exact / total_sentences if total_sentences else 100.0,
        "boundaries": tp + fn,
        "errors": errors[:max_errors],
        "error_count": len(errors),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default="target/release/passeur", help="passeur binary")
    parser.add_argument("--errors", type=int, default=10, help="errors to show per file")
    parser.add_argument("--cmd", help="another segmenter: a command with {file}")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("gold", nargs="+", type=Path)
    args = parser.parse_args()
    results = {}
    for path in args.gold:
        records = [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]
        if args.cmd:
            command = [part.replace("{file}", str(path)) for part in shlex.split(args.cmd)]
        else:
            command = [args.bin, "segment", str(path)]
        predicted = run_segmenter(command, path)
        results[path.stem] = evaluate(records, predicted, args.errors)
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
        return
    print(f"{'file':<24} {'P':>6} {'P-len':>6} {'R':>6} {'F1':>6} {'exact':>6}  boundaries")
    for name, r in results.items():
        print(f"{name:<24} {r['precision']:6.2f} {r['lenient_precision']:6.2f} {r['recall']:6.2f} "
              f"{r['f1']:6.2f} {r['exact_sentences']:6.2f}  {r['boundaries']}")
    for name, r in results.items():
        if r["errors"]:
            print(f"\n{name}: {r['error_count']} errors, first {len(r['errors'])}:")
            for e in r["errors"]:
                print("  " + e)


if __name__ == "__main__":
    main()
