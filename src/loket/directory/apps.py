from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "loket.directory"
    verbose_name = "Direktori akun"
