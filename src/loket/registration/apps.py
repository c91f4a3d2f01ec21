from django.apps import AppConfig


class RegistrationConfig(AppConfig):
    name = "loket.registration"
    verbose_name = "Registrasi akun"
