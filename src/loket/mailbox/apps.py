from django.apps import AppConfig


class MailboxConfig(AppConfig):
    name = "loket.mailbox"
    verbose_name = "Kotak masuk"
