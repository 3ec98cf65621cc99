"""A real SMTP server on loopback (aiosmtpd) for the email tests, with scripted replies."""

import asyncio
import email
import email.policy
import socket
import threading
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.utils import parseaddr

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RecordingHandler:
    """Accepts messages and keeps their raw bytes. ``data_replies`` scripts the answers to DATA
    (e.g. ["421 Try later", "421 Try later"] then acceptance); ``hold_rcpt`` makes RCPT wait until
    released, to catch a worker in the middle of a send; ``drop_after_data`` keeps that many
    messages and then closes the connection instead of answering (the client cannot know it
    arrived); ``reply_delay`` slows every MAIL and RCPT answer and ``quit_delay`` the answer to QUIT
    by that many seconds."""

    def __init__(self) -> None:
        self.received: list[bytes] = []
        self.data_replies: list[str] = []
        self.data_attempts = 0
        self.drop_after_data = 0
        self.reply_delay = 0.0
        self.quit_delay = 0.0
        self.hold_rcpt = threading.Event()
        self.release_rcpt = threading.Event()
        self.rcpt_waiting = threading.Event()
        self.lock = threading.Lock()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        await asyncio.sleep(self.reply_delay)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        await asyncio.sleep(self.reply_delay)
        if self.hold_rcpt.is_set():
            self.rcpt_waiting.set()
            while not self.release_rcpt.is_set():
                await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            self.data_attempts += 1
            if self.data_replies:
                return self.data_replies.pop(0)
            self.received.append(envelope.original_content or envelope.content)
            if self.drop_after_data:
                self.drop_after_data -= 1
                server.transport.close()  # the message is kept; its "250" never reaches the client
        return "250 Message accepted for delivery"

    async def handle_QUIT(self, server, session, envelope):  # noqa: N802
        await asyncio.sleep(self.quit_delay)
        return "221 Bye"

    # A method, not a property: aiosmtpd inspects the handler's attributes for every connection.
    def messages(self) -> list[Message]:
        return [email.message_from_bytes(raw) for raw in self.received]

    def parsed(self) -> list[EmailMessage]:
        """The messages read as a mail client reads them (the modern policy): address headers give
        their display names and addresses decoded, ``get_body`` finds the text and HTML parts."""
        return [email.message_from_bytes(raw, policy=email.policy.default) for raw in self.received]


def address_of(header: str) -> tuple[str, str]:
    """(display name, address) of a raw address header as RFC 2047 reads it. Python's modern
    parser puts a space between two adjacent encoded words of a display name (RFC 2047 6.2 says
    the whitespace between them is ignored), so a long non-ASCII name folded over two lines would
    read back with a space inside a word; ``decode_header`` joins them as mail clients do."""
    display, address = parseaddr(header)
    return str(make_header(decode_header(display))), address


def bodies_of(message: EmailMessage) -> tuple[str, str]:
    """(text, HTML) of a ``parsed()`` message as a mail client shows them, the wire's CR LF made LF."""
    return tuple(message.get_body((kind,)).get_content().replace("\r\n", "\n") for kind in ("plain", "html"))


class SMTPServer:
    def __init__(self) -> None:
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def start(self) -> "SMTPServer":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def mailer_with(self, timeout: float = 5, deadline: float = 15) -> dict:
        """The project's SMTP backend (runphys.mail_smtp) pointed at this server."""
        return {"BACKEND": "runphys.mail_smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": timeout, "deadline": deadline}}

    @property
    def mailer(self) -> dict:
        return self.mailer_with()

    @property
    def env(self) -> dict[str, str]:
        """Environment for a worker process started by a test."""
        return {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(self.port), "EMAIL_SECURITY": "none",
                "EMAIL_TIMEOUT": "5"}
