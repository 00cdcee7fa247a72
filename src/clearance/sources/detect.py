"""Find list files under the given paths, detect their format by content and group them into
one :class:`SourceBatch` per dataset version.

Grouping (see docs/ARCHITECTURE.md, "Datasets in the bundled files"):

* every full primary file (OFAC ``sdn.csv``/``cons_prim.csv`` ending in 0x1A, an OFAC or UN XML
  file, an FtM file) is one version of its dataset; versions are ordered oldest first by the ISO
  date in the path, else the publication date inside, else the file's mtime;
* OFAC supplementary files (add/alt/comments) join the full primary file in the same folder,
  else the newest full CSV primary file of their dataset in the same call;
* a *partial* OFAC primary file (no 0x1A marker, complete last record) is merged over the newest
  full CSV version of its dataset: its rows replace or add rows by ent_num (a warning records it);
* files that are not lists (``MANIFEST.md``, notes, checksums) are skipped quietly when found in
  a folder; named explicitly, they are an error. A file whose name says list (``.xml``, ``.csv``,
  ``.json``, ``.jsonl``, ``.ftm``) but whose content is none (a failed download, random bytes) is
  an error wherever it lies, and so is a folder that holds no list file at all: an import never
  succeeds by doing nothing.

``content_hash`` is a sha256 over the sha256 digests of the batch's files, sorted, so the same
bytes give the same hash wherever the files lie.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from clearance.errors import InputError, InputWarning, Location
from clearance.model import DATASETS, Entity
from clearance.sources.batch import SourceBatch
from clearance.sources.ftm_json import read_ftm
from clearance.sources.ofac_csv import OfacTable, build_entities, read_table
from clearance.sources.ofac_xml import read_ofac_xml
from clearance.sources.un_xml import read_un_xml

_ISO_DATE = re.compile(r"(?<!\d)(\d{4}-\d{2}(?:-\d{2})?)(?!\d)")
_XML_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_XML_ROOTS = {"sdnList": "ofac_xml", "CONSOLIDATED_LIST": "un_xml"}
#: Suffixes that are never list files (skipped quietly inside folders).
_NOT_LISTS = {".md", ".txt", ".sha256", ".pdf", ".html", ".py", ".json5", ".gz", ".zip"}
#: Suffixes that promise a list file: one whose content is not a list is an error, not a skip.
_LIST_SUFFIXES = (".csv", ".xml", ".json", ".jsonl", ".ftm")
#: Names listed when a folder holds no list file.
_SHOWN_NAMES = 8


def detect_format(path: Path) -> str | None:
    """``ofac_csv``, ``ofac_xml``, ``un_xml`` or ``ftm_json`` from the file's first bytes.

    None for files that are not lists. Raises :class:`InputError` for a file with a list suffix
    that is empty or holds no list, and for XML whose root no importer knows.
    """
    with path.open("rb") as handle:
        head = handle.read(8192)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    suffix = path.suffix.lower()
    if not stripped:
        if suffix in _LIST_SUFFIXES:
            raise InputError("empty file: no records", Location(str(path)))
        return None
    if stripped.startswith(b"<"):
        body = re.sub(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", b"", stripped, flags=re.S)
        match = _XML_ROOT.search(body)
        root = match.group(1).decode("ascii", "replace").rsplit(":", 1)[-1] if match else "?"
        if root not in _XML_ROOTS:
            raise InputError(
                f"unknown XML root <{root}>: not an OFAC (sdnList) or UN (CONSOLIDATED_LIST) list",
                Location(str(path)),
            )
        return _XML_ROOTS[root]
    if stripped.startswith(b"{"):
        return "ftm_json"
    if suffix in _NOT_LISTS:
        return None
    first_line = stripped.split(b"\n", 1)[0]
    if re.match(rb"^\d+,", first_line) or suffix == ".csv":
        return "ofac_csv"
    if suffix in _LIST_SUFFIXES:
        raise InputError(
            f"not a list file: named {suffix} but its content is not an OFAC or UN XML, OFAC "
            f"CSV or FtM JSON list (it starts with {_excerpt(stripped)}); a failed download?",
            Location(str(path)),
        )
    return None


def _excerpt(head: bytes) -> str:
    """The first bytes of a file, readable: text as text, anything else as binary."""
    sample = head[:40]
    text = head[:160].decode("utf-8", "replace")[:40]
    if "\ufffd" in text or not " ".join(text.split()).isprintable():
        return f"binary data: {sample[:12].hex(' ')} ..."
    return repr(text)


def _date_key(path: Path, published: str | None) -> str:
    """Sort key for "oldest first": ISO date in the path, else publication date, else mtime."""
    dates = _ISO_DATE.findall(str(path))
    if dates:
        return dates[-1]
    if published:
        return published
    from datetime import UTC, datetime

    return datetime.fromtimestamp(path.stat().st_mtime, UTC).date().isoformat()


def _hash(files: Iterable[Path]) -> str:
    digests = sorted(hashlib.sha256(f.read_bytes()).digest() for f in files)
    outer = hashlib.sha256()
    for digest in digests:
        outer.update(digest)
    return outer.hexdigest()


def _collect(paths: Iterable[Path]) -> tuple[list[tuple[Path, bool]], dict[Path, list[Path]]]:
    """(file, named explicitly) for every file under ``paths``, each once, in path order; and
    every file (hidden ones included) of each folder given, to check it holds a list."""
    seen: set[Path] = set()
    found: list[tuple[Path, bool]] = []
    folders: dict[Path, list[Path]] = {}
    for path in paths:
        path = Path(path)
        if not path.exists():
            raise InputError("no such file or folder", Location(str(path)))
        if path.is_dir():
            folders[path] = [p for p in sorted(path.rglob("*")) if p.is_file()]
            candidates = [(p, False) for p in folders[path]]
        else:
            candidates = [(path, True)]
        for candidate, explicit in candidates:
            if candidate.name.startswith("."):
                continue
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                found.append((candidate, explicit))
    return found, folders


def _check_folders(folders: dict[Path, list[Path]], lists: set[Path]) -> None:
    """An error naming the first folder that holds no list file, and what it does hold."""
    for folder, files in folders.items():
        if any(f.resolve() in lists for f in files):
            continue
        if not files:
            found = "it is empty"
        else:
            names = [str(f.relative_to(folder)) for f in files[:_SHOWN_NAMES]]
            more = f" and {len(files) - _SHOWN_NAMES} more" if len(files) > _SHOWN_NAMES else ""
            found = f"found {len(files)} other file(s): {', '.join(names)}{more}"
        raise InputError(
            f"no list file in this folder ({found}); expected OFAC CSV/XML, UN XML or FtM JSON "
            "files",
            Location(str(folder)),
        )


@dataclass(slots=True)
class _Version:
    """One dataset version under construction."""

    dataset: str
    format: str
    key: str  # sort key, see _date_key
    files: list[Path]
    published: str | None = None
    entities: list[Entity] = field(default_factory=list)
    warnings: list[InputWarning] = field(default_factory=list)
    primary: OfacTable | None = None
    supplements: list[OfacTable] = field(default_factory=list)
    partials: list[OfacTable] = field(default_factory=list)


def read_paths(paths: Iterable[Path], *, dataset: str | None = None) -> list[SourceBatch]:
    """Read every list file under ``paths`` into batches, grouped and ordered per dataset.

    ``dataset`` names the dataset of FtM lines that carry no ``datasets`` field.
    """
    versions: list[_Version] = []
    supplements: list[OfacTable] = []
    partials: list[OfacTable] = []
    files, folders = _collect(paths)
    detected: list[tuple[Path, str]] = []
    for path, explicit in files:
        fmt = detect_format(path)
        if fmt is not None:
            detected.append((path, fmt))
        elif explicit:
            raise InputError("not a list file (unknown format)", Location(str(path)))
    _check_folders(folders, {path.resolve() for path, _fmt in detected})
    for path, fmt in detected:
        if fmt == "ofac_csv":
            table = read_table(path)
            if table.kind != "primary":
                supplements.append(table)
            elif not table.complete:
                partials.append(table)
            else:
                published = _ISO_DATE.findall(str(path))
                versions.append(
                    _Version(
                        table.dataset,
                        fmt,
                        _date_key(path, None),
                        [path],
                        published=published[-1] if published else None,
                        primary=table,
                    )
                )
        elif fmt in ("ofac_xml", "un_xml"):
            parsed = read_ofac_xml(path) if fmt == "ofac_xml" else read_un_xml(path)
            dataset = parsed.entities[0].dataset if parsed.entities else _xml_dataset(path, fmt)
            versions.append(
                _Version(
                    dataset,
                    fmt,
                    _date_key(path, parsed.published),
                    [path],
                    published=parsed.published,
                    entities=parsed.entities,
                    warnings=list(parsed.warnings),
                )
            )
        else:
            ftm = read_ftm(path, dataset)
            for dataset in ftm.datasets:
                versions.append(
                    _Version(
                        dataset,
                        fmt,
                        _date_key(path, None),
                        [path],
                        entities=[e for e in ftm.entities if e.dataset == dataset],
                        warnings=list(ftm.warnings),
                    )
                )
    _attach_supplements(versions, supplements)
    _attach_partials(versions, partials)
    return [_finish(v) for v in _ordered(versions)]


def newest_batches(paths: Iterable[Path]) -> list[SourceBatch]:
    """The newest version of each dataset under ``paths``: what stays active once all of them
    are imported (``read_paths`` orders each dataset's versions oldest first)."""
    newest: dict[str, SourceBatch] = {}
    for batch in read_paths(paths):
        newest[batch.dataset] = batch
    return list(newest.values())


def _xml_dataset(path: Path, fmt: str) -> str:
    from clearance.model import DATASET_UN
    from clearance.sources.ofac_xml import dataset_for

    return DATASET_UN if fmt == "un_xml" else dataset_for(path)


def _csv_versions(versions: list[_Version], dataset: str) -> list[_Version]:
    return sorted(
        (v for v in versions if v.primary is not None and v.dataset == dataset),
        key=lambda v: v.key,
    )


def _attach_supplements(versions: list[_Version], supplements: list[OfacTable]) -> None:
    for table in supplements:
        candidates = _csv_versions(versions, table.dataset)
        same_folder = [v for v in candidates if v.files[0].parent == table.path.parent]
        target = same_folder[-1] if same_folder else (candidates[-1] if candidates else None)
        if target is None:
            raise InputError(
                f"{table.kind} file without a full {table.dataset} primary file (sdn.csv / "
                "cons_prim.csv) to join: import them together",
                Location(str(table.path)),
            )
        target.supplements.append(table)
        target.files.append(table.path)


def _attach_partials(versions: list[_Version], partials: list[OfacTable]) -> None:
    for table in partials:
        candidates = _csv_versions(versions, table.dataset)
        if not candidates:
            raise InputError(
                "partial file (no OFAC end-of-file marker 0x1A) without a full "
                f"{table.dataset} file to merge it over: import it together with one",
                Location(str(table.path)),
            )
        target = candidates[-1]
        target.partials.append(table)
        target.files.append(table.path)
        target.warnings.append(
            InputWarning(
                Location(str(table.path)),
                f"partial file (no 0x1A end marker): its {len(table.rows)} rows were merged "
                f"over {target.files[0]} by ent_num",
                kind="partial_merged",
            )
        )


def _ordered(versions: list[_Version]) -> list[_Version]:
    order = {name: index for index, name in enumerate(DATASETS)}
    return sorted(versions, key=lambda v: (order.get(v.dataset, len(order)), v.dataset, v.key))


def _finish(version: _Version) -> SourceBatch:
    if version.primary is not None:
        entities, warnings = build_entities(version.primary, version.supplements, version.partials)
        version.entities = entities
        version.warnings = version.warnings + warnings
    main = version.files[0]
    extras = [
        f.name if f.parent == main.parent else f"{f.parent.name}/{f.name}"
        for f in version.files[1:]
    ]
    folder = main.resolve().parent.name  # a bare relative path has no parent name of its own
    label = f"{folder}/{main.name}" if folder else main.name
    if version.published:
        label += f" {version.published}"
    if extras:
        label += " + " + ", ".join(extras)
    return SourceBatch(
        dataset=version.dataset,
        entities=version.entities,
        files=list(version.files),
        content_hash=_hash(version.files),
        label=label,
        format=version.format,
        published=version.published,
        warnings=version.warnings,
    )
