"""Reading an SOP file: YAML text to an `Sop`, keeping the line of every key.

PyYAML parses; we build the plain data ourselves from its node tree so that each key keeps the line
it stood on (PyYAML's own constructor forgets it) and so that a key written twice is reported
instead of silently overwritten. Pydantic's validation errors are turned into `Violation`s in the
SOP author's words, each with the line to change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .model import Sop

Loc = tuple[str | int, ...]


class SopLoader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2 booleans: only true/false.

    YAML 1.1 also reads yes/no/on/off as booleans, which would turn every step's `no:` key (nomor)
    into False; SOP authors write `no: 1` as the format shows, and must not have to quote it.
    """


SopLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
SopLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


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


def _build(node: yaml.Node, loader: SopLoader, loc: Loc, out: Loaded) -> Any:
    out.lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if key in result:
                out.add(
                    line,
                    "kunci-ganda",
                    f"kunci `{key}` ditulis dua kali (pertama di baris {out.lines[loc + (key,)]}); hapus salah satunya",
                )
                continue
            out.lines[loc + (key,)] = line
            result[key] = _build(value_node, loader, loc + (key,), out)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, loader, loc + (i,), out) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def load_text(text: str, file: str = "<teks>") -> Loaded:
    """Parse and validate SOP text. Never raises for bad input: problems become violations."""
    out = Loaded(file=file, text=text)
    loader = SopLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            out.add(1, "yaml", "berkas kosong; tulis SOP dalam format YAML (lihat docs/sop-format.md)")
            return out
        out.data = _build(node, loader, (), out)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        out.add(
            mark.line + 1 if mark else None,
            "yaml",
            f"YAML tidak dapat dibaca: {problem}; periksa indentasi, titik dua dan tanda kutip",
        )
        return out
    finally:
        loader.dispose()
    if not isinstance(out.data, dict):
        out.add(1, "yaml", "isi berkas harus berupa pemetaan kunci (kode:, versi:, ...), bukan daftar atau teks")
        return out
    try:
        out.sop = Sop.model_validate(out.data)
    except ValidationError as exc:
        for v in _translate(exc, out):
            out.violations.append(v)
    return out


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
            parts[-1] = f"{parts[-1]}[{label}]" if parts else f"[{label}]"
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
            msg = (
                f"keputusan di {parent} tidak punya cabang `{key}`; "
                f"tambahkan `{key}: <no langkah>` atau `{key}: selesai`"
            )
            rule = "cabang-hilang"
        elif kind == "missing":
            msg = f"kunci wajib `{key}` tidak ada di {parent}; tambahkan `{key}: ...`"
            rule = "kunci-wajib"
        elif kind == "extra_forbidden":
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
            msg = f"`{where}` harus huruf kecil, angka dan tanda hubung saja (contoh: kaltim-reset-ppk)"
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
