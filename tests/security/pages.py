"""Reading the forms out of a rendered page, and a snapshot of every table the apps own."""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.apps import apps

from runphys.models import AuditEvent, AuthAttempt

SNAPSHOT_APPS = {"runphys", "athletes", "exercises", "assessments", "otp_totp", "otp_static"}
# Append-only logs: a refused request may add to them (a failed password), never change a record.
NOT_SNAPSHOTTED = {AuditEvent, AuthAttempt}


@dataclass
class Field:
    name: str
    kind: str  # input type, or "textarea" / "select"
    value: str = ""
    checked: bool = False
    options: list[str] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)
    multiple: bool = False


@dataclass
class Form:
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)

    @property
    def path(self) -> str:
        return urlsplit(self.action).path

    def baseline(self) -> dict[str, list[str]]:
        """What a browser would submit unchanged: values, checked boxes, selected options, and the
        first named submit button."""
        data: dict[str, list[str]] = {}
        button_taken = False
        for f in self.fields:
            if f.kind in {"submit", "button", "image"}:
                if not button_taken and f.kind == "submit":
                    data.setdefault(f.name, []).append(f.value)
                    button_taken = True
            elif f.kind in {"checkbox", "radio"}:
                if f.checked:
                    data.setdefault(f.name, []).append(f.value or "on")
            elif f.kind == "select":
                chosen = f.selected or ([] if f.multiple or not f.options else [f.options[0]])
                data.setdefault(f.name, []).extend(chosen)
            elif f.kind == "file":
                continue
            else:
                data.setdefault(f.name, []).append(f.value)
        return data

    def signature(self) -> tuple:
        return self.method, self.path, tuple(sorted({f.name for f in self.fields}))


class FormParser(HTMLParser):
    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.textarea: Field | None = None
        self.select: Field | None = None
        self.option_value: str | None = None
        self.option_text = ""

    def handle_starttag(self, tag, attrs) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            action = a.get("action") or a.get("hx-post") or a.get("hx-get") or self.page_url
            method = "post" if (a.get("method", "get").lower() == "post" or "hx-post" in a) else "get"
            self.form = Form(urljoin(self.page_url, action), method)
            self.forms.append(self.form)
        elif self.form is None or "name" not in a and tag != "option":
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            self.form.fields.append(Field(a["name"], kind, a.get("value", ""), "checked" in a))
        elif tag == "button" and a.get("type", "submit").lower() == "submit":
            self.form.fields.append(Field(a["name"], "submit", a.get("value", "")))
        elif tag == "textarea":
            self.textarea = Field(a["name"], "textarea")
            self.form.fields.append(self.textarea)
        elif tag == "select":
            self.select = Field(a["name"], "select", multiple="multiple" in a)
            self.form.fields.append(self.select)
        elif tag == "option" and self.select is not None:
            self.option_value = a.get("value")
            self.option_text = ""
            if "selected" in a:
                self.select.selected.append(self.option_value if self.option_value is not None else "")
            if self.option_value is not None:
                self.select.options.append(self.option_value)

    def handle_data(self, data) -> None:
        if self.textarea is not None:
            self.textarea.value += data
        if self.option_value is None and self.select is not None:
            self.option_text += data

    def handle_endtag(self, tag) -> None:
        if tag == "form":
            self.form = None
        elif tag == "textarea" and self.textarea is not None:
            # The HTML parser drops the newline that follows <textarea>; so do browsers.
            self.textarea.value = self.textarea.value.removeprefix("\n")
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "option" and self.select is not None and self.option_value is None:
            self.select.options.append(self.option_text.strip())


def forms_on(html: str, page_url: str) -> list[Form]:
    parser = FormParser(page_url)
    parser.feed(html)
    return parser.forms


def snapshot() -> dict[str, list[dict]]:
    """Every row of every table the apps own (the append-only logs aside), in primary-key order."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.app_label in SNAPSHOT_APPS and model not in NOT_SNAPSHOTTED
    }


class InvalidFieldParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def handle_starttag(self, tag, attrs) -> None:
        a = dict(attrs)
        if tag in {"input", "select", "textarea"} and "is-invalid" in (a.get("class") or "").split():
            self.names.add(a.get("name") or "")


def invalid_fields(html: str) -> set[str]:
    """The fields a re-rendered form marks as refused (Bootstrap's ``is-invalid``)."""
    parser = InvalidFieldParser()
    parser.feed(html)
    return parser.names
