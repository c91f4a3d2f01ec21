"""Reading an SOP file: YAML text to an `Sop`, keeping the line of every key.

ruamel.yaml parses YAML 1.2 (booleans are only true/false, so `no: 1` is a step number, and a
plain `?` may end a question inside `{...}`, as the format's own example writes it). We build the
plain data ourselves from its node tree so that each key keeps the line it stood on and a key
written twice is reported instead of silently overwritten. Pydantic's validation errors are
turned into `Violation`s in the SOP author's words, each with the line to change. Nothing an
author can type makes this module raise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from .model import Sop

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Violation:
    """One thing wrong with an SOP file: where, which rule, and what to change."""

    file: str
    line: int | None
    rule: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: [{self.rule}] {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "rule": self.rule, "message": self.message}


@dataclass
class Loaded:
    """The outcome of reading one file: the SOP (when valid so far), its lines and violations."""

    file: str
    text: str
    data: Any = None
    sop: Sop | None = None
    lines: dict[Loc, int] = field(default_factory=dict)
    violations: list[Violation] = field(default_factory=list)

    def line(self, loc: Loc) -> int | None:
        """The line of `loc`, or of its nearest enclosing key that has one."""
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), None)

    def step_line(self, no: int, key: str | None = None) -> int | None:
        """The line of step `no` (or of one of its keys), by the step's number."""
        for i, item in enumerate(self.data.get("kegiatan") or [] if isinstance(self.data, dict) else []):
            if isinstance(item, dict) and item.get("no") == no:
                return self.line(("kegiatan", i, key) if key else ("kegiatan", i))
        return None

    def add(self, line: int | None, rule: str, message: str) -> None:
        self.violations.append(Violation(self.file, line, rule, message))


class _Unreadable(Exception):
    """A value the YAML parser accepted but could not turn into data; carries its line."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def _build(node: Node, yaml: YAML, loc: Loc, out: Loaded, seen: frozenset[int] = frozenset()) -> Any:
    line = node.start_mark.line + 1
    out.lines.setdefault(loc, line)
    if id(node) in seen:
        raise _Unreadable(line, "alias YAML merujuk ke dirinya sendiri; tulis nilainya langsung")
    if isinstance(node, MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node, yaml)
            key_line = key_node.start_mark.line + 1
            if not isinstance(key, str | int):
                raise _Unreadable(key_line, "kunci harus berupa kata (misalnya `nomor:`), bukan daftar atau pemetaan")
            if key in result:
                out.add(
                    key_line,
                    "kunci-ganda",
                    f"kunci `{key}` ditulis dua kali (pertama di baris {out.lines[loc + (key,)]}); hapus salah satunya",
                )
                continue
            out.lines[loc + (key,)] = key_line
            result[key] = _build(value_node, yaml, loc + (key,), out, seen | {id(node)})
        return result
    if isinstance(node, SequenceNode):
        return [_build(item, yaml, loc + (i,), out, seen | {id(node)}) for i, item in enumerate(node.value)]
    return _scalar(node, yaml)


def _scalar(node: Node, yaml: YAML) -> Any:
    if isinstance(node, MappingNode | SequenceNode):
        return ...  # a complex key: reported by the caller
    try:
        return yaml.constructor.construct_object(node, deep=True)
    except Exception as exc:  # a value that does not fit its explicit tag (`!!int satu`, ...)
        raise _Unreadable(node.start_mark.line + 1, f"nilai `{node.value}` tidak sesuai tag {node.tag}") from exc


def load_text(text: str, file: str = "<teks>") -> Loaded:
    """Parse and validate SOP text. Never raises for bad input: problems become violations."""
    out = Loaded(file=file, text=text)
    yaml = YAML(typ="safe", pure=True)
    try:
        node = yaml.compose(text)
        if node is None:
            out.add(1, "yaml", "berkas kosong; tulis SOP dalam format YAML (lihat docs/sop-files.md)")
            return out
        out.data = _build(node, yaml, (), out)
    except _Unreadable as exc:
        out.add(exc.line, "yaml", str(exc))
        return out
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        out.add(
            mark.line + 1 if mark else None,
            "yaml",
            f"YAML tidak dapat dibaca: {exc.problem or exc.context}; periksa indentasi, titik dua dan tanda kutip",
        )
        return out
    except YAMLError as exc:  # e.g. a control character: the reader has no line for it
        out.add(None, "yaml", f"YAML tidak dapat dibaca: {str(exc).splitlines()[0]}; simpan berkas sebagai teks biasa")
        return out
    if not isinstance(out.data, dict):
        out.add(1, "yaml", "isi berkas harus berupa pemetaan kunci (kode:, versi:, ...), bukan daftar atau teks")
        return out
    try:
        out.sop = Sop.model_validate(out.data)
    except ValidationError as exc:
        out.violations.extend(_translate(exc, out))
    return out


def read_yaml(text: str) -> Any:
    """Plain YAML 1.2 data (for trusted files such as the units file)."""
    return YAML(typ="safe", pure=True).load(text)


def load_file(path: str | Path) -> Loaded:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        out = Loaded(file=str(path), text="")
        out.add(None, "berkas", "berkas tidak ditemukan")
        return out
    except UnicodeDecodeError:
        out = Loaded(file=str(path), text="")
        out.add(None, "berkas", "berkas bukan teks UTF-8; simpan ulang sebagai UTF-8")
        return out
    return load_text(text, str(path))


# --- turning pydantic's errors into the author's words -------------------------------------------

_TARGET_KEYS = {"lanjut", "ya", "tidak"}


def _where(loc: Loc, data: Any) -> str:
    """`kegiatan[no 5].keputusan` rather than `kegiatan.4.keputusan`."""
    parts: list[str] = []
    node = data
    for part in loc:
        if isinstance(part, int):
            label = str(part + 1)
            if isinstance(node, list) and part < len(node):
                item = node[part]
                if isinstance(item, dict) and "no" in item:
                    label = f"no {item['no']}"
                node = item
            if parts:
                parts[-1] = f"{parts[-1]}[{label}]"
            else:
                parts.append(f"[{label}]")
        else:
            parts.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return ".".join(parts)


def _translate(exc: ValidationError, out: Loaded) -> list[Violation]:
    seen: set[Loc] = set()
    result: list[Violation] = []
    for err in exc.errors():
        # Union members add their own names to the location; keep only the data's own path.
        loc: Loc = tuple(p for p in err["loc"] if isinstance(p, int) or not _is_type_name(p))
        key = loc[-1] if loc else ""
        if loc in seen:
            continue
        seen.add(loc)
        where = _where(loc, out.data)
        parent = _where(loc[:-1], out.data) or "tingkat atas"
        kind = err["type"]
        if kind == "missing" and key in ("ya", "tidak") and "keputusan" in loc:
            index = int(loc[1])  # loc is ("kegiatan", i, "keputusan", key)
            step = out.data["kegiatan"][index].get("no", index + 1)
            msg = (
                f"keputusan langkah {step} tidak punya cabang `{key}`; "
                f"tambahkan `{key}: <no langkah>` atau `{key}: selesai`"
            )
            rule = "cabang-hilang"
        elif kind == "missing":
            msg = f"kunci wajib `{key}` tidak ada di {parent}; tambahkan `{key}: ...`"
            rule = "kunci-wajib"
        elif kind == "extra_forbidden" or (kind == "string_type" and not isinstance(key, str)):
            msg = (
                f"kunci `{key}` tidak dikenal di {parent}; hapus atau perbaiki ejaannya "
                "(lihat docs/sop-format.md untuk daftar kunci)"
            )
            rule = "kunci-asing"
        elif key in _TARGET_KEYS:
            msg = f"`{where}` harus nomor langkah (bilangan bulat) atau `selesai`"
            rule = "tipe"
        elif key == "waktu":
            msg = f"`{where}` harus jumlah menit (bilangan bulat ≥ 0) atau `null` untuk N/A"
            rule = "tipe"
        elif kind == "string_pattern_mismatch":
            # The example is the value as written, made to fit (no SOP kode is named here).
            fitted = re.sub(r"[^a-z0-9]+", "-", str(err.get("input", "")).casefold()).strip("-") or "unit-layanan"
            msg = f"`{where}` harus huruf kecil, angka dan tanda hubung saja (misalnya `{fitted}`)"
            rule = "tipe"
        elif kind == "too_short":
            msg = f"`{where}` tidak boleh kosong"
            rule = "kosong"
        elif kind.startswith("date"):
            msg = f"`{where}` harus tanggal YYYY-MM-DD atau `null`"
            rule = "tipe"
        elif kind == "literal_error":
            expected = err.get("ctx", {}).get("expected", "")
            msg = f"`{where}` harus salah satu dari {expected}"
            rule = "tipe"
        else:
            msg = f"`{where}`: {err['msg']}"
            rule = "tipe"
        result.append(Violation(out.file, out.line(loc), rule, msg))
    return result


def _is_type_name(part: str) -> bool:
    return part in ("int", "str", "bool", "list", "dict") or part.startswith(("literal[", "function-"))
