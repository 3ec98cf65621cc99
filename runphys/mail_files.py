"""Development email: each message written as an ``.eml`` file, and one line printed for it.

Without ``EMAIL_HOST`` (a developer's machine) nothing leaves the machine. Django's console backend
printed every message whole, the handout PDF as about 6,500 lines of base64, so the message could
not be found in the output; here each message goes to ``EMAIL_FILE_DIR`` (``var/mail/``) as a file
any mail program opens, and the log gets ``to``, ``subject`` and the file's path.
"""

import sys
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class EmlFileBackend(BaseEmailBackend):
    def __init__(self, *args, directory: str | None = None, stream=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.directory = Path(directory or settings.EMAIL_FILE_DIR)
        self.stream = stream or sys.stdout

    def send_messages(self, email_messages) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            path = self.directory / f"{uuid.uuid4().hex}.eml"
            path.write_bytes(message.message().as_bytes())
            self.stream.write(f"Email to {', '.join(message.recipients())}: {message.subject!r} -> {path}\n")
            self.stream.flush()
            sent += 1
        return sent
