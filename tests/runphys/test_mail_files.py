"""Development email: one .eml file per message and one printed line, through the real mailer."""

import email
import io

from django.core.mail import EmailMultiAlternatives, get_connection

from runphys.mail_files import EmlFileBackend


def test_each_message_is_an_eml_file_and_one_printed_line(tmp_path):
    printed = io.StringIO()
    backend = EmlFileBackend(directory=str(tmp_path / "mail"), stream=printed)
    message = EmailMultiAlternatives("Your exercise program from Clinic A", "Hello Ines", to=["ines@runner.example"],
                                     connection=backend)
    message.attach("exercise-program-v1.pdf", b"%PDF-1.7 fake", "application/pdf")
    assert message.send() == 1
    [path] = (tmp_path / "mail").glob("*.eml")
    parsed = email.message_from_bytes(path.read_bytes())
    assert parsed["To"] == "ines@runner.example" and parsed["Subject"] == "Your exercise program from Clinic A"
    assert [part.get_filename() for part in parsed.walk() if part.get_filename()] == ["exercise-program-v1.pdf"]
    lines = printed.getvalue().splitlines()
    assert lines == [f"Email to ines@runner.example: 'Your exercise program from Clinic A' -> {path}"]


def test_it_is_the_development_mailer(settings, tmp_path):
    settings.MAILERS = {"default": {"BACKEND": "runphys.mail_files.EmlFileBackend",
                                    "OPTIONS": {"directory": str(tmp_path)}}}
    assert isinstance(get_connection(), EmlFileBackend)
