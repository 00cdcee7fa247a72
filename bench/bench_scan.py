"""Document scan throughput: MB of text per second on a synthetic news-like corpus.

The corpus is built from news sentences about the 2025 designations with real listed names
(organisations, people, aliases in English renderings) mixed with ordinary reporting that
names officials and places, so the finder's dictionary walk, candidate scoring and weak-alias
confirmation all run. The index is built once (reported separately); the scan time covers
tokenising, the dictionary walk, scoring candidate spans and resolving mentions. Wall-clock
and CPU-time figures are both printed: on a shared machine the CPU figure is the steadier one.
Target (issue 4): >= 1 MB of text per second.

    .venv/bin/python bench/bench_scan.py [--megabytes 2] [--lists ../shared/data/lists]
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from clearance.cli.screening_lists import screener_for
from clearance.documents import mention_index
from clearance.documents.mentions import find_mentions

REPO = Path(__file__).resolve().parents[1]

LISTED = [
    "Tren de Aragua",
    "Mara Salvatrucha",
    "MS-13",
    "the Sinaloa Cartel",
    "the Cartel de Jalisco Nueva Generación",
    "the Jalisco New Generation Cartel",
    "CJNG",
    "Cárteles Unidos",
    "the Cartel del Noreste",
    "the Gulf Cartel",
    "La Nueva Familia Michoacana",
    "La Familia Michoacana",
    "the Cartel of the Suns",
    "the Clan del Golfo",
    "Nemesio Oseguera Cervantes",
    "Ismael Zambada García",
    "Ovidio Guzmán López",
    "Nicolás Maduro",
    "Diosdado Cabello",
    "Hizballah",
    "al-Qa'ida",
]
PEOPLE = ["Marco Rubio", "Scott Bessent", "Claudia Sheinbaum", "Pam Bondi", "Laura Castañeda"]
PLACES = ["Culiacán", "Sinaloa", "Jalisco", "Guadalajara", "Michoacán", "Tamaulipas", "Caracas"]
TEMPLATES = [
    "Officials in {place} said {org} had expanded its operations across the region this year.",
    "{person} told reporters that {org} would face the full weight of the designation.",
    "A resident of {place} said that the crisis had changed daily life in the state capital.",
    "Prosecutors accused {org} of laundering money through exchange houses in {place}.",
    "The report, prepared by {person}, named {org} and {org2} as the main threats.",
    "Farmers near {place} described extortion by groups they would not name.",
    "Analysts said the rivalry between {org} and {org2} had left hundreds dead.",
    "Markets in {place} reopened on Monday after a week of closures and roadblocks.",
]


def corpus(megabytes: float, seed: int = 7) -> str:
    """Paragraphs of template sentences until the text reaches ``megabytes`` MB."""
    rng = random.Random(seed)
    target = int(megabytes * 1_000_000)
    parts: list[str] = []
    size = 0
    while size < target:
        sentence = rng.choice(TEMPLATES).format(
            org=rng.choice(LISTED),
            org2=rng.choice(LISTED),
            person=rng.choice(PEOPLE),
            place=rng.choice(PLACES),
        )
        parts.append(sentence)
        size += len(sentence.encode()) + 1
        if rng.random() < 0.15:
            parts.append("\n\n")
    return " ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=2.0)
    parser.add_argument("--lists", type=Path, default=REPO.parent / "shared" / "data" / "lists")
    args = parser.parse_args()

    started = time.perf_counter()
    screener = screener_for([args.lists])
    loaded = time.perf_counter()
    index = mention_index(screener)
    built = time.perf_counter()
    text = corpus(args.megabytes)
    megabytes = len(text.encode()) / 1_000_000
    # one chunk of 64 kB first, so the figure below is the steady state (caches filled)
    find_mentions(text[:65536], index)
    scan_start, cpu_start = time.perf_counter(), time.process_time()
    mentions = find_mentions(text, index)
    elapsed = time.perf_counter() - scan_start
    cpu = time.process_time() - cpu_start

    print(f"lists loaded and screener built: {loaded - started:.1f} s")
    print(
        f"mention index built:             {built - loaded:.1f} s ({len(index.sequences):,} sequences)"
    )
    print(f"corpus:                          {megabytes:.2f} MB, {len(mentions):,} mentions")
    print(f"scan (wall clock):               {elapsed:.2f} s = {megabytes / elapsed:.2f} MB/s")
    print(f"scan (CPU time of this process): {cpu:.2f} s = {megabytes / cpu:.2f} MB/s")


if __name__ == "__main__":
    main()
