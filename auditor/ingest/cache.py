"""Per-document result cache.

What is cached: the whole ``DocumentResult`` (document info + facts) of every
document that was read — never page texts alone, never errors.  Errors are cheap
to find again, and several depend on the run rather than on the file (``timeout``
and ``too-large`` on the limits, a worker crash on the machine), so a later run
always retries them.  A result whose pages were left unread for a passing reason
(tesseract failing or timing out on a page) is not cached either.

The key (sha256 of these, joined):

* the cache format, ``EXTRACTOR_VERSION`` (facts) and ``INGEST_VERSION`` (pages),
  and a fingerprint of the source files of extraction and reading (so a
  developer's edit never meets results of the code before it),
* the field names of the cached dataclasses (a model change never decodes
  into a half-filled object),
* the file's sha256 and its base name (the document kind is partly guessed from
  the file name, so a renamed copy is read again; the same file in another
  folder is a hit),
* the extraction settings of the document's jurisdiction pack
  (``ExtractionSettings.signature``: a Kenyan rescan never reuses a Pakistani
  extraction),
* the options that change what is read: ``--ocr`` mode and, unless it is off,
  ``--ocr-lang``, ``--dpi`` and the tesseract version and installed language
  packs (installing tesseract or a pack invalidates results that lacked it).

Beside the results, the cache directory holds ``hashes/`` (the sha256 of files
already hashed, trusted while their size, inode and times are unchanged: see
``HashMemo``) and ``rules/`` (validated rule packs, see
``auditor.ruleset.schema``), so a warm rescan neither re-reads every PDF nor
parses the YAML rules.

Layout: ``<cache dir>/v3/<key[:2]>/<key>.json``, each two lines: a header
``{"format", "key", "sha256"}`` and the result encoded by ``auditor.codec``
(data only: reading an entry never runs code, unlike a pickle).  The header's
``sha256`` is the checksum of the second line's bytes, verified on every read:
a truncated entry, a flipped byte or another document's entry copied over this
one (its key differs; its document hash differs) is detected, deleted and
rebuilt, never served.  (The checksum catches damage, not forgery: whoever can
write the cache directory can still write a consistent lie, but never code.)  Writes go to
a temporary file in the same folder and are moved into place with
``os.replace`` (atomic), so two scans at once never see half an entry; the
last writer wins with identical content.  An entry that cannot be read back
(truncated, corrupt, from another version) is ignored and rewritten.  On a hit, ``DocumentInfo.path`` and every ``Evidence.document`` are
re-stamped with the current relative path, and ``from_cache`` is set.

The cache lives in ``$XDG_CACHE_HOME/auditor`` (default ``~/.cache/auditor``),
or ``--cache-dir``; ``--no-cache`` neither reads nor writes it.  Deleting the
folder is always safe.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
from dataclasses import fields, replace
from pathlib import Path

from auditor.codec import result_from_json, result_to_json
from auditor.models import DocumentError, DocumentInfo, DocumentResult, Evidence, Fact
from auditor.options import OcrMode, ScanOptions
from auditor.settings import DEFAULT as DEFAULT_SETTINGS
from auditor.settings import ExtractionSettings

CACHE_FORMAT = 3  # 3: JSON entries with a checksum; 2: JSON without; 1 was pickles


def default_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "auditor"


def _models_signature() -> str:
    return ";".join(f"{cls.__name__}:{','.join(f.name for f in fields(cls))}"
                    for cls in (DocumentResult, DocumentInfo, DocumentError, Fact, Evidence))


# The code a cached result comes from, relative to the package: a change to any
# of these files (a developer editing an extractor without bumping
# EXTRACTOR_VERSION) invalidates the cache too.
_CODE = ("extract/*.py", "settings.py", "ingest/pdf.py", "ingest/tables.py", "ingest/ocr.py", "ingest/worker.py",
         "models.py", "codec.py", "fx.py", "data/*")
_code_digest: str | None = None


def code_fingerprint() -> str:
    """sha256 over the source files reading and extraction depend on (computed
    once per process, ≈ 2 ms); "" when the package is not on a file system."""
    global _code_digest
    if _code_digest is None:
        import auditor

        root = Path(auditor.__file__).parent
        digest = hashlib.sha256()
        try:
            for pattern in _CODE:
                for path in sorted(root.glob(pattern)):
                    if path.is_file():
                        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
                        digest.update(path.read_bytes())
            _code_digest = digest.hexdigest()[:16]
        except OSError:
            _code_digest = ""
    return _code_digest


def _extractor_version() -> str:
    """EXTRACTOR_VERSION, read from the source when possible: importing the
    extractors compiles a few hundred regular expressions (0.2 s), which a fully
    cached scan never needs."""
    import sys

    loaded = sys.modules.get("auditor.extract.facts")
    if loaded is None:
        import re

        import auditor

        try:
            source = (Path(auditor.__file__).parent / "extract" / "facts.py").read_text(encoding="utf-8")
            m = re.search(r'^EXTRACTOR_VERSION\s*=\s*["\']([^"\']*)["\']', source, re.M)
            if m:
                return m.group(1)
        except OSError:
            pass
    from auditor.extract.facts import EXTRACTOR_VERSION

    return EXTRACTOR_VERSION


def options_signature(options: ScanOptions) -> str:
    """The options that change what a document yields."""
    from auditor.ingest.pdf import INGEST_VERSION

    from auditor.extract import patterns

    parts = [f"format={CACHE_FORMAT}", f"extract={_extractor_version()}", f"ingest={INGEST_VERSION}",
             f"code={code_fingerprint()}", _models_signature(), f"ocr={options.ocr.value}",
             f"patterns={patterns.digest_of(patterns.pack_dirs(options.pattern_dirs))}"]
    if options.ocr is not OcrMode.OFF:
        from auditor.ingest import ocr

        parts += [f"lang={options.ocr_lang}", f"dpi={options.dpi}", f"engine={ocr.engine_id(options.ocr_lang)}"]
    return "|".join(parts)


class ResultCache:
    def __init__(self, root: Path, options: ScanOptions) -> None:
        self.root = Path(root)
        self.dir = self.root / f"v{CACHE_FORMAT}"
        self.options = options
        self._signature = options_signature(options)
        self.hits = 0
        self.misses = 0
        self.write_errors = 0

    @classmethod
    def for_options(cls, options: ScanOptions) -> "ResultCache | None":
        """The cache a scan with these options uses, or None (``--no-cache``)."""
        if not options.use_cache:
            return None
        return cls(options.cache_dir or default_dir(), options)

    def key(self, sha256: str, name: str, settings: ExtractionSettings = DEFAULT_SETTINGS) -> str:
        return hashlib.sha256(f"{self._signature}|settings={settings.signature()}|name={name}|sha256={sha256}".encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key}.json"

    def get(self, sha256: str, rel: str, settings: ExtractionSettings = DEFAULT_SETTINGS) -> DocumentResult | None:
        """The cached result of this file read with these settings, re-stamped
        with ``rel``; None on a miss."""
        t0 = time.perf_counter()
        key = self.key(sha256, _basename(rel), settings)
        path = self._path(key)
        result = None
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError:  # not there (a miss), or unreadable: read the document
            data = None
        if data is not None:
            result = _decode_entry(data, key)
            if result is None:
                _unlink(path)  # damaged or not this key's: rebuilt by this scan
        if not isinstance(result, DocumentResult) or result.info.sha256 != sha256 or result.info.error is not None:
            if result is not None:  # a valid entry, of another document or an error: never served
                _unlink(path)
            self.misses += 1
            return None
        if result.info.pages > self.options.max_pages:
            self.misses += 1
            return None
        self.hits += 1
        return restamp(result, rel, time.perf_counter() - t0)

    def put(self, result: DocumentResult, settings: ExtractionSettings = DEFAULT_SETTINGS) -> bool:
        """Store a document's result (read with these settings); False if it
        could not be written (the scan goes on)."""
        info = result.info
        if info.error is not None or not info.sha256 or result.from_cache:
            return False
        key = self.key(info.sha256, _basename(info.path), settings)
        path = self._path(key)
        data = _encode_entry(result, key)
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{key[:16]}.", suffix=".tmp", dir=path.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
            return True
        except OSError:
            self.write_errors += 1
            if tmp is not None:
                _unlink(Path(tmp))
            return False


def _encode_entry(result: DocumentResult, key: str) -> bytes:
    body = json.dumps(result_to_json(result), separators=(",", ":")).encode("ascii")
    header = json.dumps({"format": CACHE_FORMAT, "key": key, "sha256": hashlib.sha256(body).hexdigest()},
                        separators=(",", ":")).encode("ascii")
    return header + b"\n" + body + b"\n"


def _decode_entry(data: bytes, key: str) -> DocumentResult | None:
    """The result an entry holds, or None when it is not an intact entry of
    ``key`` (checksum, format and key are checked before the body is decoded)."""
    header, sep, body = data.partition(b"\n")
    if not sep or not body.endswith(b"\n"):
        return None  # truncated
    body = body[:-1]
    try:
        head = json.loads(header)
        if (type(head) is not dict or head.get("format") != CACHE_FORMAT or head.get("key") != key
                or head.get("sha256") != hashlib.sha256(body).hexdigest()):
            return None
        return result_from_json(json.loads(body))
    except (ValueError, KeyError, TypeError, RecursionError):  # DecodeError is a ValueError
        return None


class HashMemo:
    """The sha256 of files already hashed, so a warm rescan does not read every
    byte of every PDF again (git's index does the same).

    An entry is trusted only while the file's device, inode, size, modification
    and status-change times (nanoseconds) are all unchanged; any write to the file
    changes its ctime, which no program can set back.  A file changed less than
    ``RACY_SECONDS`` before it was hashed is not memoised (a write in the same
    clock tick could otherwise go unnoticed).  Entries live in
    ``<cache dir>/hashes/<xx>/<sha256 of the path>``, one small text file per
    document, written atomically; a missing or unreadable entry means: hash it.
    Each entry carries a checksum over the file's path, its stamp and the
    digest, so a damaged entry (one flipped hex digit) or an entry copied from
    another file's slot is never trusted: the file is hashed again.  Besides,
    the worker that reads a document hashes the bytes it reads, and that hash is
    the one reported and cached (``auditor.ingest.worker.run_document``)."""

    RACY_SECONDS = 2.0

    def __init__(self, root: Path) -> None:
        self.dir = Path(root) / "hashes"

    @staticmethod
    def _stamp(st: os.stat_result) -> str:
        return f"{st.st_dev} {st.st_ino} {st.st_size} {st.st_mtime_ns} {st.st_ctime_ns}"

    def _path(self, path: Path) -> Path:
        key = hashlib.sha256(os.fsencode(os.path.abspath(path))).hexdigest()
        return self.dir / key[:2] / key

    @staticmethod
    def _check(path: Path, stamp: str, digest: str) -> str:
        text = f"{os.path.abspath(path)}\0{stamp}\0{digest}"
        return hashlib.sha256(os.fsencode(text)).hexdigest()[:16]

    def get(self, path: Path, st: os.stat_result) -> str | None:
        try:
            with open(self._path(path), "r", encoding="ascii") as fh:
                text = fh.read(512)
        except (OSError, ValueError):
            return None
        stamp, _, rest = text.strip().rpartition(" ")
        stamp, _, digest = stamp.rpartition(" ")
        if (stamp != self._stamp(st) or len(digest) != 64 or not _HEX.fullmatch(digest)
                or rest != self._check(path, stamp, digest)):
            return None
        return digest

    def put(self, path: Path, st: os.stat_result, digest: str) -> None:
        newest = max(st.st_mtime_ns, st.st_ctime_ns) / 1e9
        if time.time() - newest < self.RACY_SECONDS:
            return
        target = self._path(path)
        tmp = None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:16]}.", suffix=".tmp", dir=target.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                stamp = self._stamp(st)
                fh.write(f"{stamp} {digest} {self._check(path, stamp, digest)}\n")
            os.replace(tmp, target)
        except OSError:
            if tmp is not None:
                _unlink(Path(tmp))


_HEX = re.compile(r"[0-9a-f]{64}")


def restamp(result: DocumentResult, rel: str, seconds: float = 0.0) -> DocumentResult:
    """A cached result as if read from ``rel``: the document's relative path in its
    info and in every piece of evidence, ``from_cache`` set, timings replaced."""
    old = result.info.path
    facts = result.facts
    if old != rel:
        facts = tuple(
            replace(f, evidence=tuple(replace(e, document=rel) if e.document == old else e for e in f.evidence))
            for f in facts
        )
    return replace(result, info=replace(result.info, path=rel), facts=facts, from_cache=True,
                   timings=(("cache", round(seconds, 6)),))


def _basename(rel: str) -> str:
    return rel.rsplit("/", 1)[-1]


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
