"""Writes src/glossary/suggest/french-frequency.txt: how common each French word is in
general language, for `passeur glossary suggest`'s specificity.

The source is wordfreq 3.1.1 (Robyn Speer; code Apache-2.0, data CC BY-SA 4.0), whose
French list blends Wikipedia, subtitles, news, books, web text and Reddit. Its "small" list
holds every word with a Zipf frequency of 3 or more (once per million words); rarer words
all count as rare. One line per Zipf value to one decimal, then the words:
`5.2<TAB>selon hier ...`. Run it again only to move to another wordfreq release:

    python3 -m venv /tmp/wf && /tmp/wf/bin/pip install wordfreq==3.1.1 msgpack
    /tmp/wf/bin/python tools/make_french_frequency.py
"""

import gzip
import importlib.resources
import pathlib
from collections import defaultdict

import msgpack

OUT = pathlib.Path(__file__).resolve().parent.parent / "src/glossary/suggest/french-frequency.txt"


def main():
    data = importlib.resources.files("wordfreq") / "data" / "small_fr.msgpack.gz"
    with gzip.open(data) as f:
        header, *bins = msgpack.load(f, raw=False)
    assert header == {"format": "cB", "version": 1}, header
    by_zipf = defaultdict(list)
    for centibels, words in enumerate(bins):
        # A word in bin i has the frequency 10^(-i/100): Zipf = 9 - i/100.
        zipf = round(9 - centibels / 100, 1)
        by_zipf[zipf].extend(w for w in words if " " not in w and "\t" not in w)
    lines = [
        "# French word frequencies (Zipf scale) from wordfreq 3.1.1, data CC BY-SA 4.0:",
        "# https://github.com/rspeer/wordfreq (see tools/make_french_frequency.py)",
    ]
    for zipf in sorted((z for z in by_zipf if by_zipf[z]), reverse=True):
        lines.append(f"{zipf}\t{' '.join(sorted(by_zipf[zipf]))}")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{OUT}: {sum(len(w) for w in by_zipf.values())} words")


if __name__ == "__main__":
    main()
