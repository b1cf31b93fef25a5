"""Options of one scan, shared by the CLI, the pipeline and the worker processes."""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import Enum
from pathlib import Path


class OcrMode(str, Enum):
    AUTO = "auto"  # OCR pages whose text layer is missing or unusable
    OFF = "off"  # never OCR; such pages are reported as unread
    FORCE = "force"  # OCR every page, ignoring the text layer


@dataclass(frozen=True, slots=True)
class ScanOptions:
    ocr: OcrMode = OcrMode.AUTO
    ocr_lang: str = "eng"
    dpi: int = 300
    jobs: int = 0  # 0 = number of CPUs
    doc_timeout: float = 300.0  # seconds per document (worker is killed after)
    max_bytes: int = 512 * 1024 * 1024  # larger files are reported as too-large
    max_pages: int = 5000  # more pages than this: too-large
    max_memory_mb: int = 1536  # address-space guard of a worker process
    # resident memory one document may use: its worker and the worker's tesseract
    # together (auditor.ingest.pool); 0 = only the address-space guard
    max_rss_mb: int = 256
    cache_dir: Path | None = None  # None = the user cache directory
    use_cache: bool = True
    progress: bool = False  # a rich progress bar on stderr
    pattern_dirs: tuple[Path, ...] = ()  # rule packs (--rules) whose patterns/ add to the built-in ones
    cardinal_settings: Path | None = None  # Cardinal's settings INI (--cardinal-settings) for OCDS input
    executor: str = "local"  # "local": the process pool; "dask": a Dask cluster (auditor.ingest.dask_executor)
    scheduler: str | None = None  # --executor dask: the scheduler's address; None = a LocalCluster
    send_bytes: bool = False  # --executor dask: send the documents' bytes, not their paths

    @property
    def workers(self) -> int:
        return self.jobs if self.jobs > 0 else (os.cpu_count() or 1)
