"""The exported BPMN runs in SpiffWorkflow 3, on every path `loket.sop.paths` lists.

For each built-in SOP and for an SOP written here (lanes no built-in SOP uses, a manual
`kerjakan` approval by the head that is a decision, a completeness loop back through the
requester, a system decision), the export is loaded into SpiffWorkflow's BpmnParser and run as a
BpmnWorkflow once per path: each decision's answer is set in the variable `jawaban_<no>` when
its task completes, and the steps completed must be the path's steps, in the path's order.

The driver plays the people and the services: a `userTask` waits READY for a person (Spiff never
runs it by itself); a `serviceTask` is started by Spiff's engine and then waits for its service
to complete it. So a step of the wrong task type stalls or runs where the driver does not expect it.
"""

from __future__ import annotations

import pydantic
import pytest
from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.defaults import ExclusiveGateway, ServiceTask, UserTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from loket.sop.check import check_text
from loket.sop.model import Keputusan, Sop
from loket.sop.paths import Path as SopPath
from loket.sop.paths import all_paths
from loket.sop.render.bpmn import answer_variable, render_bpmn
from tests.sop.test_render_bpmn import DEFINITIONS, NS, TASKS, _flows, _parse

# Lanes no built-in SOP uses; step 6 is a manual task (`kerjakan`) that is also a decision (the
# head approves); 2 → 3 → 4 → 2 is the completeness loop through the requester; step 10 is a
# staff action (`kerjakan`) whose decision the system answers from data, so the system completes it.
UKPBJ = """\
kode: uji-ukpbj-persetujuan
versi: 1
layanan: reset-akun
peran_akun: [PP]
unit: uji
nomor: 002/UJI/2026
nama: SOP Uji Persetujuan Kepala UKPBJ
pelaksana: [Pejabat Pengadaan, Petugas Layanan, Verifikator Instansi, Kepala UKPBJ]
berkas:
  - {kode: surat-permohonan, nama: Surat permohonan}
  - {kode: sk-pengangkatan, nama: SK pengangkatan sebagai Pejabat Pengadaan}
kegiatan:
  - {no: 1, uraian: Menyampaikan berkas permohonan, pelaksana: Pejabat Pengadaan, waktu: null,
     aksi: ajukan-berkas, lanjut: 2}
  - no: 2
    uraian: Memeriksa kelengkapan berkas. Apakah berkas lengkap?
    pelaksana: Petugas Layanan
    waktu: 5
    aksi: periksa-kelengkapan
    keputusan: {pertanyaan: Apakah berkas lengkap?, ya: 5, tidak: 3}
  - {no: 3, uraian: Memberi tahu berkas yang kurang, pelaksana: Petugas Layanan, waktu: 5,
     aksi: minta-kelengkapan, lanjut: 4}
  - {no: 4, uraian: Melengkapi berkas yang kurang, pelaksana: Pejabat Pengadaan, waktu: null,
     aksi: lengkapi-berkas, lanjut: 2}
  - no: 5
    uraian: Memeriksa kebenaran berkas terhadap data akun. Apakah berkas benar?
    pelaksana: Verifikator Instansi
    waktu: 10
    aksi: periksa-keabsahan
    keputusan: {pertanyaan: Apakah berkas benar?, ya: 6, tidak: 9}
  - no: 6
    uraian: Menelaah permohonan dan memberi persetujuan. Apakah Kepala UKPBJ menyetujui?
    pelaksana: Kepala UKPBJ
    waktu: 15
    aksi: kerjakan
    keputusan: {pertanyaan: Apakah Kepala UKPBJ menyetujui?, ya: 7, tidak: 9}
  - {no: 7, uraian: Mengatur password sementara, pelaksana: Verifikator Instansi, waktu: 5,
     aksi: reset-password, lanjut: 8}
  - {no: 8, uraian: Menyampaikan hasil kepada pemohon, pelaksana: Petugas Layanan, waktu: 5,
     aksi: beri-tahu-hasil, lanjut: 10}
  - {no: 9, uraian: Memberitahukan bahwa permohonan ditolak, pelaksana: Petugas Layanan, waktu: 5,
     aksi: tolak, lanjut: selesai}
  - no: 10
    uraian: Mencatat cara penyerahan berkas asli. Apakah permohonan disampaikan langsung?
    pelaksana: Petugas Layanan
    waktu: 5
    aksi: kerjakan
    keputusan:
      pertanyaan: Apakah permohonan disampaikan langsung?
      ya: 11
      tidak: 12
      oleh: sistem
      syarat: kanal-langsung
  - {no: 11, uraian: Menyerahkan kembali berkas asli kepada pemohon, pelaksana: Petugas Layanan,
     waktu: 5, aksi: kerjakan, lanjut: 12}
  - {no: 12, uraian: Mengarsipkan berkas, pelaksana: Petugas Layanan, waktu: 5, aksi: arsipkan,
     lanjut: selesai}
"""

XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
NEW_LANES = ["Pejabat Pengadaan", "Petugas Layanan", "Verifikator Instansi", "Kepala UKPBJ"]

TEXTS = [pytest.param(UKPBJ, id="ukpbj-persetujuan")] + [
    pytest.param(path.read_text(encoding="utf-8"), id=path.stem) for path in sorted(DEFINITIONS.glob("*.yaml"))
]


def _checked(text: str, name: str = "<uji>") -> Sop:
    loaded = check_text(text, name)
    assert loaded.violations == [], [str(v) for v in loaded.violations]
    assert loaded.sop is not None
    return loaded.sop


@pytest.fixture(params=TEXTS)
def sop(request: pytest.FixtureRequest) -> Sop:
    return _checked(request.param, request.node.callspec.id)


def _spec(xml: str) -> BpmnProcessSpec:
    parser = BpmnParser()
    parser.add_bpmn_xml(etree.fromstring(xml.encode("utf-8")), filename="sop.bpmn")
    assert parser.get_process_ids() == ["Process_1"], "Spiff lists executable processes only"
    return parser.get_spec("Process_1")


def _no(task: Task) -> int | None:
    name = task.task_spec.name
    return int(name.removeprefix("Step_")) if name.startswith("Step_") else None


def run_path(sop: Sop, path: SopPath, xml: str | None = None) -> list[int]:
    """Run the export of `sop` in SpiffWorkflow along `path`; the steps completed, in order."""
    workflow = BpmnWorkflow(_spec(xml or render_bpmn(sop)))
    answers = list(path.answers)
    done: list[int] = []

    def complete(task: Task) -> None:
        no = _no(task)
        assert no is not None, f"{task.task_spec.name} waits for someone; only steps should"
        k = sop.step(no)
        expected = UserTask if k.by in ("pemohon", "staf") else ServiceTask
        assert type(task.task_spec) is expected, f"step {no} ({k.by}) is a {type(task.task_spec).__name__}"
        assert task.task_spec.lane == k.pelaksana
        if k.keputusan is not None:
            assert answers and answers[0][0] == no, f"step {no} asks for an answer the path does not give"
            task.data[answer_variable(no)] = answers.pop(0)[1]
        if expected is UserTask:
            assert task.state == TaskState.READY
            task.run()
        else:
            assert task.state == TaskState.STARTED, "the engine starts a service task by itself"
            task.complete()
        done.append(no)

    for _ in range(4 * len(path.steps) + 4):
        workflow.do_engine_steps()
        if workflow.is_completed():
            break
        waiting = workflow.get_tasks(state=TaskState.READY, manual=True) + [
            t for t in workflow.get_tasks(state=TaskState.STARTED) if isinstance(t.task_spec, ServiceTask)
        ]
        assert len(waiting) == 1, [t.task_spec.name for t in waiting]
        complete(waiting[0])
    assert workflow.is_completed(), f"the workflow did not end; completed so far {done}"
    assert answers == [], "every answer of the path was asked for"
    ends = [
        t.task_spec.name for t in workflow.get_tasks(state=TaskState.COMPLETED) if t.task_spec.name.startswith("End_")
    ]
    assert ends == [f"End_{path.steps[-1]}"]
    return done


# --- the document ------------------------------------------------------------------------------


def test_the_process_is_executable(sop: Sop) -> None:
    root = _parse(render_bpmn(sop))
    (process,) = root.findall("bpmn:process", NS)
    assert process.get("isExecutable") == "true"
    _spec(render_bpmn(sop))


def test_people_do_user_tasks_in_their_lane_and_the_system_service_tasks(sop: Sop) -> None:
    root = _parse(render_bpmn(sop))
    process = root.find("bpmn:process", NS)
    lane_of = {
        r.text: lane.get("name")
        for lane in process.iterfind("bpmn:laneSet/bpmn:lane", NS)
        for r in lane.iterfind("bpmn:flowNodeRef", NS)
    }
    tag_of = {el.get("id"): etree.QName(el).localname for tag in TASKS for el in process.iterfind(f"bpmn:{tag}", NS)}
    assert process.find("bpmn:task", NS) is None
    for k in sop.kegiatan:
        node = f"Step_{k.no}"
        assert tag_of[node] == ("serviceTask" if k.by == "sistem" else "userTask"), (k.no, k.aksi, k.by)
        assert lane_of[node] == k.pelaksana
    # Every SOP has requester, staff and system steps, so each kind is checked on each SOP.
    assert {k.by for k in sop.kegiatan} == {"pemohon", "staf", "sistem"}
    specs = _spec(render_bpmn(sop)).task_specs
    for k in sop.kegiatan:
        spec = specs[f"Step_{k.no}"]
        assert type(spec) is (ServiceTask if k.by == "sistem" else UserTask)
        assert spec.manual == (k.by != "sistem"), "a person's step waits for that person"
        assert spec.lane == k.pelaksana


def test_a_system_decision_is_a_service_task_even_on_a_staff_action() -> None:
    sop = _checked(UKPBJ)
    step = sop.step(10)
    assert step.aksi == "kerjakan" and step.keputusan is not None and step.keputusan.oleh == "sistem"
    assert step.by == "sistem"
    assert sop.step(6).by == "staf" and sop.step(6).keputusan is not None
    root = _parse(render_bpmn(sop))
    assert root.find("bpmn:process/bpmn:serviceTask[@id='Step_10']", NS) is not None
    assert root.find("bpmn:process/bpmn:userTask[@id='Step_6']", NS) is not None
    lanes = [lane.get("name") for lane in root.iterfind("bpmn:process/bpmn:laneSet/bpmn:lane", NS)]
    assert lanes == NEW_LANES


def test_every_flow_out_of_a_gateway_has_a_condition_on_the_answer(sop: Sop) -> None:
    root = _parse(render_bpmn(sop))
    flows = _flows(root)
    gateways = {g.get("id") for g in root.iterfind("bpmn:process/bpmn:exclusiveGateway", NS)}
    decisions = [k for k in sop.kegiatan if k.keputusan is not None]
    assert gateways == {f"Gateway_{k.no}" for k in decisions}
    for k in decisions:
        variable = answer_variable(k.no)
        assert variable == f"jawaban_{k.no}"
        out = {f.get("name"): f for f in flows.values() if f.get("sourceRef") == f"Gateway_{k.no}"}
        assert set(out) == {"Ya", "Tidak"}
        for name, answer in (("Ya", "ya"), ("Tidak", "tidak")):
            (condition,) = out[name].findall("bpmn:conditionExpression", NS)
            assert condition.get(XSI_TYPE) == "bpmn:tFormalExpression"
            assert condition.text == f'{variable} == "{answer}"'
        gateway = root.find(f"bpmn:process/bpmn:exclusiveGateway[@id='Gateway_{k.no}']", NS)
        assert variable in gateway.findtext("bpmn:documentation", namespaces=NS)
    for f in flows.values():
        if f.get("sourceRef") not in gateways:
            assert f.find("bpmn:conditionExpression", NS) is None, f.get("id")


# --- running it ---------------------------------------------------------------------------------


def test_every_path_runs_in_spiffworkflow_step_for_step(sop: Sop) -> None:
    paths = all_paths(sop)
    assert paths
    xml = render_bpmn(sop)
    for path in paths:
        assert run_path(sop, path, xml) == list(path.steps), path


def test_the_ukpbj_sop_runs_its_loop_and_the_heads_refusal() -> None:
    sop = _checked(UKPBJ)
    paths = {p.steps: p for p in all_paths(sop)}
    loop = (1, 2, 3, 4, 2, 5, 6, 7, 8, 10, 11, 12)
    refused_by_head = (1, 2, 5, 6, 9)
    by_mail = (1, 2, 5, 6, 7, 8, 10, 12)
    assert {loop, refused_by_head, by_mail} <= set(paths)
    assert paths[refused_by_head].answers == ((2, "ya"), (5, "ya"), (6, "tidak"))
    for steps in (loop, refused_by_head, by_mail):
        assert run_path(sop, paths[steps]) == list(steps)


def test_a_gateway_without_its_variable_stops_the_workflow() -> None:
    sop = _checked(UKPBJ)
    workflow = BpmnWorkflow(_spec(render_bpmn(sop)))
    workflow.do_engine_steps()
    (first,) = workflow.get_tasks(state=TaskState.READY, manual=True)
    first.run()
    workflow.do_engine_steps()
    (check,) = workflow.get_tasks(state=TaskState.READY, manual=True)
    assert check.task_spec.name == "Step_2"
    check.run()  # no jawaban_2
    with pytest.raises(WorkflowException, match="jawaban_2"):
        workflow.do_engine_steps()
    assert isinstance(workflow.spec.task_specs["Gateway_2"], ExclusiveGateway)


def test_without_its_conditions_the_export_is_refused_by_spiffworkflow() -> None:
    xml = render_bpmn(_checked(UKPBJ))
    root = _parse(xml)
    for condition in list(root.iterfind(".//bpmn:conditionExpression", NS)):
        condition.getparent().remove(condition)
    with pytest.raises(ValidationException, match="without condition"):
        _spec(etree.tostring(root, encoding="unicode"))


# --- bad pairings never reach the export ---------------------------------------------------------


def test_a_decision_missing_a_branch_is_refused_before_it_can_be_exported() -> None:
    text = UKPBJ.replace(
        "keputusan: {pertanyaan: Apakah Kepala UKPBJ menyetujui?, ya: 7, tidak: 9}",
        "keputusan: {pertanyaan: Apakah Kepala UKPBJ menyetujui?, ya: 7}",
    )
    assert text != UKPBJ
    loaded = check_text(text, "uji.yaml")
    assert [(v.rule, v.line) for v in loaded.violations] == [("cabang-hilang", 36)]
    assert "keputusan langkah 6 tidak punya cabang `tidak`" in loaded.violations[0].message
    assert loaded.sop is None, "nothing to render"
    # Nor can an `Sop` for `render_bpmn` be built with a decision missing a branch.
    with pytest.raises(pydantic.ValidationError):
        Keputusan(pertanyaan="Apakah Kepala UKPBJ menyetujui?", ya=7)  # type: ignore[call-arg]


def test_a_decision_whose_branches_meet_is_refused_before_it_can_be_exported() -> None:
    text = UKPBJ.replace("ya: 7, tidak: 9}", "ya: 9, tidak: 9}")
    assert text != UKPBJ
    loaded = check_text(text, "uji.yaml")
    assert "cabang-sama" in [v.rule for v in loaded.violations]
