"""Kubernetes name rules, with the exact messages Kubernetes (apimachinery) gives.

Knative embeds these messages in its own validation errors (``not a DNS 1035
label: [...]``, ``invalid key name ... name part must consist of ...``), so the
wording, including apimachinery's doubled space between examples, is kept to
the letter. Each checker returns the list of problems; an empty list means valid.
"""

from __future__ import annotations

import json
import re

DNS1035_LABEL_MAX_LENGTH = 63
DNS1123_SUBDOMAIN_MAX_LENGTH = 253
QUALIFIED_NAME_MAX_LENGTH = 63

_DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
_DNS1035_LABEL_MSG = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
    "start with an alphabetic character, and end with an alphanumeric character"
)
_DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN_FMT = _DNS1123_LABEL_FMT + "(\\." + _DNS1123_LABEL_FMT + ")*"
_DNS1123_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
    "'-' or '.', and must start and end with an alphanumeric character"
)
_QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_QUALIFIED_NAME_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)

_DNS1035_LABEL = re.compile(f"^{_DNS1035_LABEL_FMT}$")
_DNS1123_SUBDOMAIN = re.compile(f"^{_DNS1123_SUBDOMAIN_FMT}$")
_QUALIFIED_NAME = re.compile(f"^{_QUALIFIED_NAME_FMT}$")


def regex_error(message: str, fmt: str, *examples: str) -> str:
    """apimachinery's ``RegexError``: the rule, examples, and the regex used."""
    if not examples:
        return f"{message} (regex used for validation is '{fmt}')"
    shown = " or ".join(f"'{example}', " for example in examples)
    return f"{message} (e.g. {shown}regex used for validation is '{fmt}')"


def max_len_error(length: int) -> str:
    """apimachinery's ``MaxLenError``."""
    return f"must be no more than {length} characters"


def go_quote(value: str) -> str:
    """A string quoted the way Go's ``%q`` quotes it (double quotes, escapes)."""
    return json.dumps(value, ensure_ascii=False)


def go_list(messages: list[str]) -> str:
    """A list of strings the way Go's ``fmt`` prints a ``[]string``: ``[a b]``."""
    return "[" + " ".join(messages) + "]"


def dns1035_label(value: str) -> list[str]:
    """Problems with ``value`` as a DNS-1035 label (``IsDNS1035Label``)."""
    errors: list[str] = []
    if len(value) > DNS1035_LABEL_MAX_LENGTH:
        errors.append(max_len_error(DNS1035_LABEL_MAX_LENGTH))
    if not _DNS1035_LABEL.match(value):
        errors.append(regex_error(_DNS1035_LABEL_MSG, _DNS1035_LABEL_FMT, "my-name", "abc-123"))
    return errors


def name_dns1035_label(value: str, *, prefix: bool) -> list[str]:
    """``NameIsDNS1035Label``: as a prefix (``generateName``) a trailing dash is allowed."""
    if prefix and len(value) > 1 and value.endswith("-"):
        # apimachinery masks the dash by dropping the last two characters and
        # appending one letter; reproduced so the same names pass.
        value = value[:-2] + "a"
    return dns1035_label(value)


def dns1123_subdomain(value: str) -> list[str]:
    """Problems with ``value`` as a DNS-1123 subdomain (``IsDNS1123Subdomain``)."""
    errors: list[str] = []
    if len(value) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        errors.append(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not _DNS1123_SUBDOMAIN.match(value):
        errors.append(regex_error(_DNS1123_SUBDOMAIN_MSG, _DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errors


def qualified_name(value: str) -> list[str]:
    """Problems with ``value`` as a qualified name (``IsQualifiedName``): ``[prefix/]name``."""
    errors: list[str] = []
    parts = value.split("/")
    if len(parts) > 2:
        return [
            "a qualified name "
            + regex_error(_QUALIFIED_NAME_MSG, _QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            errors.append("prefix part must be non-empty")
        else:
            errors.extend("prefix part " + msg for msg in dns1123_subdomain(prefix))
    if not name:
        errors.append("name part must be non-empty")
    elif len(name) > QUALIFIED_NAME_MAX_LENGTH:
        errors.append("name part " + max_len_error(QUALIFIED_NAME_MAX_LENGTH))
    if not _QUALIFIED_NAME.match(name):
        errors.append(
            "name part "
            + regex_error(_QUALIFIED_NAME_MSG, _QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
        )
    return errors
