"""The SOP checker: every rule of docs/sop-format.md, each violation with its line and remedy.

`check_text`/`check_file` return the loaded file with all violations found; a file is valid only
when that list is empty. The rules past the schema (targets, reachability, termination, loops,
lanes, the vocabulary) are graph checks over the step numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .load import Loaded, load_file, load_text
from .model import ACTIONS, CONDITIONS, GATES, SELESAI, Kegiatan, Sop


def check_text(text: str, file: str = "<teks>", *, known_units: Iterable[str] | None = None) -> Loaded:
    loaded = load_text(text, file)
    if loaded.sop is not None:
        check_sop(loaded, known_units=known_units)
    return loaded


def check_file(path: str | Path, *, known_units: Iterable[str] | None = None) -> Loaded:
    loaded = load_file(path)
    if loaded.sop is not None:
        check_sop(loaded, known_units=known_units)
    return loaded


def check_sop(loaded: Loaded, *, known_units: Iterable[str] | None = None) -> None:
    """Add to `loaded.violations` every rule the (schema-valid) SOP breaks."""
    sop = loaded.sop
    assert sop is not None
    add = loaded.add

    if known_units is not None:
        units = sorted(known_units)
        if sop.unit not in units:
            add(
                loaded.line(("unit",)), "unit", f"unit `{sop.unit}` tidak dikenal; pilih salah satu: {', '.join(units)}"
            )

    _unique(
        loaded, "pelaksana", sop.pelaksana, "pelaksana-ganda", "pelaksana `{}` ditulis dua kali di daftar `pelaksana`"
    )
    _unique(
        loaded,
        "berkas",
        [b.kode for b in sop.berkas],
        "berkas-ganda",
        "kode berkas `{}` dipakai dua kali; beri kode yang unik",
    )

    _check_roles(loaded, sop)

    for i, line_text in enumerate(sop.kop):
        if not line_text:
            add(loaded.line(("kop", i)), "kop", "baris `kop` kosong; hapus baris itu atau isi teksnya")

    numbers: dict[int, int] = {}
    for i, k in enumerate(sop.kegiatan):
        line = loaded.line(("kegiatan", i, "no"))
        if k.no in numbers:
            first = loaded.line(("kegiatan", numbers[k.no], "no"))
            add(
                line,
                "langkah-ganda",
                f"nomor langkah {k.no} dipakai dua kali (juga di baris {first}); beri nomor yang unik",
            )
            continue
        numbers[k.no] = i
    _check_steps(loaded, sop, numbers)
    _check_scope(loaded, sop)
    _check_supervisor(loaded, sop)
    _check_gates_and_copies(loaded, sop)
    if any(v.rule in ("langkah-ganda", "target") for v in loaded.violations):
        return  # the graph rules below would only repeat the same fault in other words
    _check_graph(loaded, sop, numbers)


def sets_password(k: Kegiatan) -> bool:
    """Whether the step's action may set a password, which a person does by hand where the unit's
    accounts live in SPSE (the assisted directory)."""
    spec = ACTIONS.get(k.aksi)
    return spec is not None and spec.sets_password is not None


def staff_lanes(sop: Sop) -> list[str]:
    """The lanes, in `pelaksana` order, with at least one step a staff member completes, or sets
    a password in (by hand, in a unit whose accounts live in SPSE): the staff roles this SOP
    needs at its unit (the requester's lane is not one, unless staff also complete a step in it)."""
    used = {k.pelaksana for k in sop.kegiatan if k.aksi in ACTIONS and (k.by == "staf" or sets_password(k))}
    return [lane for lane in sop.pelaksana if lane in used]


# A staff role (staff.StaffRole.role) holds at most this many characters.
ROLE_LENGTH = 40


def role_lanes(sop: Sop) -> list[str]:
    """The staff roles this SOP gives its unit: its staff lanes, then its `pengawas` (the lane
    that reviews its deviations) when that is not one of them already."""
    lanes = staff_lanes(sop)
    if sop.pengawas and sop.pengawas not in lanes:
        lanes.append(sop.pengawas)
    return lanes


def _check_supervisor(loaded: Loaded, sop: Sop) -> None:
    """`pengawas`: a lane name a staff role can hold, never a requester's lane (a lane of
    `pelaksana` with no staff step, or a role of `peran_akun` that is not a staff lane), never
    agency-scoped: it reviews the deviations of every agency's cases of the unit."""
    if sop.pengawas is None:
        return
    line = loaded.line(("pengawas",))
    name = sop.pengawas
    staff = staff_lanes(sop)
    if not name:
        loaded.add(
            line, "pengawas", "`pengawas` kosong; tulis lajur yang meninjau penyimpangan, misalnya `Kepala LPSE`"
        )
    elif len(name) > ROLE_LENGTH or "\n" in name:
        loaded.add(
            line,
            "pengawas",
            f"`pengawas` `{name[:60]}` bukan nama lajur: paling banyak {ROLE_LENGTH} karakter dalam satu baris; "
            "singkat nama jabatannya",
        )
    elif name not in staff and (name in sop.pelaksana or name in sop.peran_akun):
        loaded.add(
            line,
            "pengawas",
            f"`pengawas: {name}` adalah lajur pemohon, bukan petugas unit; tulis lajur pimpinan unit yang meninjau "
            f"penyimpangan (lajur petugas: {', '.join(staff) or '-'})",
        )
    elif name in sop.lingkup_instansi:
        loaded.add(
            line,
            "pengawas",
            f"`pengawas: {name}` berlaku per instansi (`lingkup_instansi`), padahal pengawas meninjau penyimpangan "
            "seluruh unit; pilih lajur lain atau hapus lajur itu dari `lingkup_instansi`",
        )


def _check_scope(loaded: Loaded, sop: Sop) -> None:
    """`lingkup_instansi`: each entry a staff lane of `pelaksana`, listed once."""
    staff = staff_lanes(sop)
    seen: set[str] = set()
    for i, lane in enumerate(sop.lingkup_instansi):
        line = loaded.line(("lingkup_instansi", i))
        if lane in seen:
            loaded.add(line, "lingkup", f"`{lane}` ditulis dua kali di `lingkup_instansi`; hapus salah satunya")
        elif lane not in sop.pelaksana:
            loaded.add(
                line,
                "lingkup",
                f"`lingkup_instansi` menyebut `{lane}` yang tidak ada di daftar `pelaksana` "
                f"({', '.join(sop.pelaksana)}); perbaiki ejaannya atau hapus dari `lingkup_instansi`",
            )
        elif lane not in staff:
            loaded.add(
                line,
                "lingkup",
                f"`{lane}` di `lingkup_instansi` bukan lajur petugas (tidak ada langkah yang diselesaikan "
                f"petugas di lajur itu; lajur petugas: {', '.join(staff) or '-'}); hapus dari `lingkup_instansi`",
            )
        seen.add(lane)


def _check_roles(loaded: Loaded, sop: Sop) -> None:
    """`peran` of a `berkas`: a non-empty list of roles of `peran_akun`, each once; and every role
    of `peran_akun` keeps its required documents: if any required document is asked of some
    roles only, each role is named by one of them (three SKs for PPK, PP and Pokja Pemilihan,
    not two), and each role has at least one required document."""
    roles = ", ".join(sop.peran_akun)
    for i, b in enumerate(sop.berkas):
        if b.peran is None:
            continue
        if not b.peran:
            loaded.add(
                loaded.line(("berkas", i, "peran")),
                "peran",
                f"`peran` berkas `{b.kode}` kosong; tulis peran yang dimintai berkas ini ({roles}) "
                "atau hapus `peran` agar berkas diminta dari setiap peran",
            )
            continue
        seen: set[str] = set()
        for j, role in enumerate(b.peran):
            line = loaded.line(("berkas", i, "peran", j))
            if role in seen:
                loaded.add(
                    line, "peran", f"`{role}` ditulis dua kali di `peran` berkas `{b.kode}`; hapus salah satunya"
                )
            elif role not in sop.peran_akun:
                loaded.add(
                    line,
                    "peran",
                    f"`peran` berkas `{b.kode}` menyebut `{role}` yang tidak ada di `peran_akun` ({roles}); "
                    "perbaiki ejaannya atau tambahkan peran itu ke `peran_akun`",
                )
            seen.add(role)
    if any(v.rule == "peran" for v in loaded.violations):
        return
    specific = [b for b in sop.berkas if b.peran and b.wajib]
    named = {role for b in specific for role in b.peran or []}
    for role in sop.peran_akun:
        if specific and role not in named:
            loaded.add(
                loaded.line(("berkas",)),
                "peran",
                f"peran `{role}` tidak dimintai berkas wajib khusus peran, padahal "
                f"{', '.join(sorted(named))} dimintai ({', '.join(b.kode for b in specific)}); tambahkan berkas "
                f"dengan `peran: [{role}]` atau sebut `{role}` di `peran` berkas yang sesuai",
            )


def _check_gates_and_copies(loaded: Loaded, sop: Sop) -> None:
    """`tunggu` only after a step that creates an account, naming a known gate; `tembusan` only on
    a step that delivers the result, naming staff lanes."""
    staff = staff_lanes(sop)
    for i, k in enumerate(sop.kegiatan):
        spec = ACTIONS.get(k.aksi)
        if k.tunggu is not None:
            line = loaded.line(("kegiatan", i, "tunggu"))
            if k.tunggu not in GATES:
                loaded.add(
                    line, "tunggu", f"`tunggu: {k.tunggu}` pada langkah {k.no} tidak dikenal; pilih: {', '.join(GATES)}"
                )
            elif spec is not None and not spec.creates_account:
                makers = ", ".join(name for name, a in ACTIONS.items() if a.creates_account)
                loaded.add(
                    line,
                    "tunggu",
                    f"`tunggu` pada langkah {k.no} menahan aktivasi akun, tetapi aksi `{k.aksi}` tidak membuat "
                    f"akun; pindahkan ke langkah beraksi {makers}",
                )
        for j, lane in enumerate(k.tembusan):
            line = loaded.line(("kegiatan", i, "tembusan", j))
            if spec is not None and not spec.delivers:
                senders = ", ".join(name for name, a in ACTIONS.items() if a.delivers)
                loaded.add(
                    line,
                    "tembusan",
                    f"`tembusan` pada langkah {k.no}: aksi `{k.aksi}` tidak mengirim hasil; pindahkan ke "
                    f"langkah beraksi {senders}",
                )
                break
            if lane not in staff:
                loaded.add(
                    line,
                    "tembusan",
                    f"`tembusan` langkah {k.no} menyebut `{lane}` yang bukan lajur petugas SOP ini "
                    f"({', '.join(staff) or '-'}); perbaiki ejaannya",
                )


def _unique(loaded: Loaded, key: str, values: list[str], rule: str, template: str) -> None:
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value in seen:
            loaded.add(loaded.line((key, i)), rule, template.format(value))
        seen.add(value)


def _check_steps(loaded: Loaded, sop: Sop, numbers: dict[int, int]) -> None:
    add = loaded.add
    lanes = ", ".join(sop.pelaksana)
    for i, k in enumerate(sop.kegiatan):
        loc = ("kegiatan", i)
        if k.pelaksana not in sop.pelaksana:
            add(
                loaded.line(loc + ("pelaksana",)),
                "pelaksana",
                f"pelaksana `{k.pelaksana}` pada langkah {k.no} tidak ada di daftar `pelaksana` ({lanes}); "
                "tambahkan ke daftar atau perbaiki ejaannya",
            )
        spec = ACTIONS.get(k.aksi)
        if spec is None:
            add(
                loaded.line(loc + ("aksi",)),
                "aksi",
                f"aksi `{k.aksi}` pada langkah {k.no} tidak dikenal; pilih salah satu: {', '.join(ACTIONS)}",
            )
        if k.lanjut is not None and k.keputusan is not None:
            add(
                loaded.line(loc + ("lanjut",)),
                "lanjut-dan-keputusan",
                f"langkah {k.no} punya `lanjut` dan `keputusan` sekaligus; langkah keputusan hanya "
                "memakai `keputusan.ya` dan `keputusan.tidak`, hapus `lanjut`",
            )
        elif k.lanjut is None and k.keputusan is None:
            add(
                loaded.line(loc),
                "tanpa-lanjut",
                f"langkah {k.no} tidak punya `lanjut` maupun `keputusan`; tambahkan `lanjut: <no langkah>` "
                "atau `lanjut: selesai`",
            )
        if spec is not None and spec.decision and k.keputusan is None:
            add(
                loaded.line(loc + ("aksi",)),
                "keputusan-hilang",
                f"aksi `{k.aksi}` pada langkah {k.no} adalah keputusan; tambahkan "
                "`keputusan: {pertanyaan: ..., ya: <no>, tidak: <no>}`",
            )
        if k.keputusan is not None:
            kp = k.keputusan
            kloc = loc + ("keputusan",)
            if kp.ya == kp.tidak:
                add(
                    loaded.line(kloc),
                    "cabang-sama",
                    f"kedua cabang keputusan langkah {k.no} menuju {kp.ya}; arahkan `ya` dan `tidak` ke langkah berbeda",
                )
            if kp.oleh == "sistem" and kp.syarat not in CONDITIONS:
                add(
                    loaded.line(kloc + ("syarat",)) if kp.syarat else loaded.line(kloc),
                    "syarat",
                    f"keputusan langkah {k.no} dijawab sistem tetapi `syarat` "
                    f"{'`' + kp.syarat + '` tidak dikenal' if kp.syarat else 'tidak ada'}; "
                    f"pilih salah satu: {', '.join(CONDITIONS)}",
                )
            if kp.oleh == "staf" and kp.syarat:
                add(
                    loaded.line(kloc + ("syarat",)),
                    "syarat",
                    f"keputusan langkah {k.no} punya `syarat` tetapi dijawab staf; tambahkan `oleh: sistem` "
                    "atau hapus `syarat`",
                )
        for key, target in k.branches:
            if target != SELESAI and target not in numbers:
                tloc = loc + (("keputusan", key) if key != "lanjut" else (key,))
                add(
                    loaded.line(tloc),
                    "target",
                    f"langkah {k.no} menuju langkah {target} yang tidak ada; tulis nomor langkah yang ada "
                    f"({', '.join(str(n) for n in sorted(numbers))}) atau `selesai`",
                )


def successors(sop: Sop) -> dict[int, list[int | str]]:
    return {k.no: list(k.targets) for k in sop.kegiatan}


def _check_graph(loaded: Loaded, sop: Sop, numbers: dict[int, int]) -> None:
    add = loaded.add
    succ = successors(sop)
    if 1 not in numbers:
        add(loaded.line(("kegiatan",)), "langkah-1", "tidak ada langkah no 1; alur selalu dimulai dari langkah 1")
        return

    reached = _reach([1], succ)
    for k in sop.kegiatan:
        if k.no not in reached:
            add(
                loaded.step_line(k.no),
                "tak-tercapai",
                f"langkah {k.no} tidak dapat dicapai dari langkah 1; arahkan `lanjut` atau cabang keputusan "
                "langkah lain ke langkah ini, atau hapus langkah ini",
            )

    # Steps from which `selesai` can be reached, found backwards from the steps that end.
    pred: dict[int | str, set[int]] = {}
    for no, targets in succ.items():
        for t in targets:
            pred.setdefault(t, set()).add(no)
    ends = _reach([SELESAI], {t: sorted(p) for t, p in pred.items()})  # type: ignore[dict-item]
    for k in sop.kegiatan:
        if k.no in reached and k.no not in ends:
            add(
                loaded.step_line(k.no),
                "tak-berakhir",
                f"dari langkah {k.no} alur tidak pernah sampai `selesai` (berputar tanpa jalan keluar); "
                "beri salah satu langkah di putaran itu cabang atau `lanjut` menuju langkah akhir atau `selesai`",
            )

    _check_delivery(loaded, sop)

    waiting = {k.no for k in sop.kegiatan if k.waits}
    for cycle in _cycles_without(succ, waiting):
        shown = " → ".join(str(n) for n in cycle + [cycle[0]])
        add(
            loaded.step_line(cycle[0]),
            "putaran",
            f"alur berputar tanpa langkah pemohon: {shown}; setiap putaran harus melewati langkah pemohon "
            "(aksi `lengkapi-berkas`) atau langkah yang menunggu kejadian luar",
        )


def _check_delivery(loaded: Loaded, sop: Sop) -> None:
    """A temporary password is delivered in the same change that set it: from a step that sets a
    password, no requester or staff step stands before `beri-tahu-hasil` (the one-time link lives
    only as long as that change; a person's step between would leave nothing to deliver)."""
    by_no = {k.no: k for k in sop.kegiatan}
    for k in sop.kegiatan:
        if not sets_password(k):
            continue
        todo, seen = list(k.targets), set()
        while todo:
            target = todo.pop()
            if target in seen:
                continue
            seen.add(target)
            nxt = by_no.get(target) if isinstance(target, int) else None
            if nxt is None or nxt.aksi not in ACTIONS or nxt.aksi == "beri-tahu-hasil":
                continue  # an unknown `aksi` has its own violation
            if nxt.by != "sistem":
                loaded.add(
                    loaded.step_line(k.no),
                    "hasil",
                    f"langkah {k.no} mengatur password, tetapi langkah {target} dikerjakan orang sebelum "
                    "`beri-tahu-hasil`; letakkan `beri-tahu-hasil` sesudahnya tanpa langkah pemohon atau "
                    "petugas di antaranya",
                )
                break
            todo.extend(nxt.targets)


def _reach(start: list, succ: dict) -> set:  # type: ignore[type-arg]
    seen: set = set()  # type: ignore[type-arg]
    stack = list(start)
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack.extend(succ.get(node, []))
    return seen


def _cycles_without(succ: dict[int, list[int | str]], excluded: set[int]) -> list[list[int]]:
    """One cycle per strongly connected knot of the graph with the `excluded` steps removed."""
    graph = {
        n: [t for t in ts if isinstance(t, int) and t not in excluded] for n, ts in succ.items() if n not in excluded
    }
    cycles: list[list[int]] = []
    done: set[int] = set()
    for start in sorted(graph):
        if start in done:
            continue
        # Depth-first search that reports the first back edge it meets within this start's reach.
        path: list[int] = []
        on_path: set[int] = set()
        found = _find_cycle(start, graph, path, on_path, done)
        if found:
            cycles.append(found)
            done.update(found)
    return cycles


def _find_cycle(
    node: int, graph: dict[int, list[int]], path: list[int], on_path: set[int], done: set[int]
) -> list[int] | None:
    if node in on_path:
        return path[path.index(node) :]
    if node in done or node not in graph:
        return None
    path.append(node)
    on_path.add(node)
    for nxt in graph[node]:
        found = _find_cycle(nxt, graph, path, on_path, done)
        if found:
            return found
    path.pop()
    on_path.discard(node)
    done.add(node)
    return None
