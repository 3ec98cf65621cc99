"""SMTP that knows how far a message got, and never outlives its delivery's lease.

Django's SMTP backend with two additions the delivery code (``runphys.emails.deliver``) needs:

- **How far the message got** (``EmailBackend.progress``). When a send fails, it matters whether
  the server can have the message: ``NOT_SENT`` until the message's final ``.`` has been handed to
  the network (a failure before that is safe to retry: a server keeps no partial message),
  ``UNCONFIRMED`` once it has but the server's answer has not been read (a connection dropped or
  timed out there may or may not have delivered it: retrying would send a second copy), and
  ``ACCEPTED`` once the server answered 250 (a failure after that, in QUIT or past the deadline,
  is a sent message).
- **A deadline for the whole exchange** (OPTION ``deadline``, seconds). The SMTP time-out bounds
  each step, not their sum; every step here is given only what is left of the deadline, so a
  worker is done with a message (or has given up) before its claim's lease ends and the sweep hands
  the delivery to another worker (``EMAIL_SENDING_LEASE`` in settings is the deadline plus one
  time-out).
"""

import enum
import functools
import smtplib
import time

from django.core.mail.backends import smtp


class Progress(enum.StrEnum):
    NOT_SENT = "not sent"
    UNCONFIRMED = "unconfirmed"
    ACCEPTED = "accepted"


class TrackedConnection:
    """Mixed into ``smtplib.SMTP`` and ``SMTP_SSL``: the deadline and the progress of DATA."""

    def __init__(self, *args, deadline: float | None = None, **kwargs) -> None:
        self.deadline = deadline  # time.monotonic() after which no step may start
        self.progress = Progress.NOT_SENT
        self._sending_data = False
        super().__init__(*args, **kwargs)

    def _within_deadline(self) -> None:
        if self.deadline is None or self.sock is None:
            return
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("The exchange with the mail server took longer than its deadline.")
        self.sock.settimeout(min(self.timeout, left) if self.timeout else left)

    def send(self, s) -> None:
        self._within_deadline()
        super().send(s)
        # smtplib sends the DATA command as text and the message itself, with its final dot, as bytes.
        if self._sending_data and isinstance(s, bytes):
            self.progress = Progress.UNCONFIRMED

    def getreply(self):
        self._within_deadline()
        return super().getreply()

    def data(self, msg):
        self.progress, self._sending_data = Progress.NOT_SENT, True
        try:
            code, reply = super().data(msg)
        finally:
            self._sending_data = False
        # An answer came: 250 took the message, any other refused it (smtplib raises for it).
        self.progress = Progress.ACCEPTED if code == 250 else Progress.NOT_SENT
        return code, reply


class TrackedSMTP(TrackedConnection, smtplib.SMTP):
    pass


class TrackedSMTPSSL(TrackedConnection, smtplib.SMTP_SSL):
    pass


class EmailBackend(smtp.EmailBackend):
    def __init__(self, *args, deadline: float | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.deadline = deadline
        self.tracked: TrackedConnection | None = None

    @property
    def connection_class(self):
        base = TrackedSMTPSSL if self.use_ssl else TrackedSMTP
        deadline = time.monotonic() + self.deadline if self.deadline else None
        return functools.partial(self._connect, base, deadline)

    def _connect(self, base: type, deadline: float | None, *args, **kwargs) -> TrackedConnection:
        self.tracked = None
        self.tracked = base(*args, deadline=deadline, **kwargs)
        return self.tracked

    @property
    def progress(self) -> Progress:
        """How far the last message sent through this backend got (see the module docstring)."""
        return self.tracked.progress if self.tracked is not None else Progress.NOT_SENT
