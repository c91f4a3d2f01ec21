"""URLs of the staff console: sign-in, the work queue, a case, its documents and archive, the
outbox, the staff lanes of each unit."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import archive_views, case_list_views, lanes_views
from . import console_views as views
from . import training_views as training
from .console_sign_in import ConsoleSignInView

app_name = "console"
urlpatterns = [
    path("masuk/", ConsoleSignInView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(next_page="console:login"), name="logout"),
    path("", views.queue, name="queue"),
    path("kasus/", case_list_views.cases, name="cases"),
    path("kasus/<int:case_id>/", views.case_page, name="case"),
    path("kasus/<int:case_id>/berkas/<int:doc_id>/", views.document, name="document"),
    path("kasus/<int:case_id>/arsip.pdf", views.archive_pdf, name="archive_pdf"),
    path("kasus/<int:case_id>/arsip/periksa/", archive_views.archive_verify, name="archive_verify"),
    path("kasus/<int:case_id>/pratinjau-surat.pdf", views.letter_preview, name="letter_preview"),
    path("kotak-keluar/", views.outbox, name="outbox"),
    path("pelaksana/", lanes_views.lanes, name="lanes"),
    path("pelatihan/", training.index, name="training"),
    path("pelatihan/sesi/<int:session_id>/", training.session_page, name="training_session"),
    path("pelatihan/sesi/<int:session_id>/undang/", training.invite, name="training_invite"),
    path("pelatihan/sesi/<int:session_id>/kehadiran/", training.attendance, name="training_attendance"),
    path("pelatihan/sesi/<int:session_id>/daftar-hadir/", training.attendance_csv, name="training_attendance_csv"),
    path("pelatihan/aktivasi/<int:registration_id>/", training.activation, name="training_activation"),
    path("pelatihan/<str:unit_kode>/", training.unit_page, name="training_unit"),
]

# The front office and the counters (issue 10): loket.counter.
from loket.counter import views as counter_views  # noqa: E402

urlpatterns += [
    path("antrian/", counter_views.index, name="counter_index"),
    path("antrian/<str:unit_kode>/tamu/", counter_views.front_office, name="counter_front"),
    path("antrian/<str:unit_kode>/buku-tamu/", counter_views.guest_book, name="counter_guests"),
    path("antrian/<str:unit_kode>/tiket/<int:ticket_id>/", counter_views.ticket_page, name="counter_ticket"),
    path(
        "antrian/<str:unit_kode>/tiket/<int:ticket_id>/cetak/<str:size>/",
        counter_views.ticket_print,
        name="counter_print",
    ),
    path("antrian/<str:unit_kode>/loket/", counter_views.desk, name="counter_desk"),
    path(
        "antrian/<str:unit_kode>/tiket/<int:ticket_id>/permohonan/",
        counter_views.open_request,
        name="counter_open_request",
    ),
    path(
        "antrian/<str:unit_kode>/tiket/<int:ticket_id>/tanda-terima/",
        counter_views.receipt,
        name="counter_receipt",
    ),
]

# The mailbox screen (issue "The counter and the mailbox", point 6): loket.mailbox.
from loket.mailbox import views as mailbox_views  # noqa: E402

urlpatterns += [
    path("surel/", mailbox_views.index, name="mailbox_index"),
    path("surel/<str:unit_kode>/", mailbox_views.mailbox_page, name="mailbox"),
    path("surel/<str:unit_kode>/periksa/", mailbox_views.check_now, name="mailbox_check"),
    path("surel/<str:unit_kode>/<int:mail_id>/layanan/", mailbox_views.choose_service, name="mailbox_choose"),
    path("surel/<str:unit_kode>/<int:mail_id>/tinjau/", mailbox_views.mark_reviewed, name="mailbox_review"),
]

# The mutu baku report (issue 12, point 1): loket.reports.
from loket.reports import views as report_views  # noqa: E402

urlpatterns += [
    path("laporan/mutu-baku/", report_views.report_page, name="mutu_baku"),
]

# Deviations, the survey's staff pages and the reports' exports (issue 12): each app's own list.
from loket.deviations.console_urls import urlpatterns as deviation_urls  # noqa: E402
from loket.reports.console_urls import urlpatterns as report_urls  # noqa: E402
from loket.survey.console_urls import urlpatterns as survey_urls  # noqa: E402

urlpatterns += deviation_urls + report_urls + survey_urls
