"""Name, label, port and quantity rules (apimachinery ``pkg/util/validation``, ``resource``).

Each ``is_*`` function returns the list of problems in the API's words (empty when valid),
which callers wrap in ``invalid(path, value, msg)`` like the Go code does.
"""

from __future__ import annotations

import re
from typing import Any

from engine.schema.errors import FieldError, FieldPath, forbidden, invalid, required

_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL = re.compile(f"^{_LABEL}$")
_DNS1123_SUBDOMAIN = re.compile(rf"^{_LABEL}(\.{_LABEL})*$")
_DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_QUALIFIED = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")

DNS1123_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
    "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
DNS1123_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
    "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
DNS1035_LABEL_MSG = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with "
    "an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
    "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
)
QUALIFIED_NAME_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)


def _max_len(value: str, n: int) -> list[str]:
    return [f"must be no more than {n} characters"] if len(value) > n else []


def is_dns1123_label(value: str) -> list[str]:
    """RFC 1123 label (Namespace, StatefulSet, container names)."""
    errs = _max_len(value, 63)
    if not _DNS1123_LABEL.match(value):
        errs.append(DNS1123_LABEL_MSG)
    return errs


def is_dns1123_subdomain(value: str) -> list[str]:
    """RFC 1123 subdomain (most object names)."""
    errs = _max_len(value, 253)
    if not _DNS1123_SUBDOMAIN.match(value):
        errs.append(DNS1123_SUBDOMAIN_MSG)
    return errs


def is_dns1035_label(value: str) -> list[str]:
    """RFC 1035 label (Service names, port names)."""
    errs = _max_len(value, 63)
    if not _DNS1035_LABEL.match(value):
        errs.append(DNS1035_LABEL_MSG)
    return errs


def is_qualified_name(value: str) -> list[str]:
    """``[prefix/]name`` label and annotation keys."""
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            return ["prefix part must be non-empty"]
        errs = [f"prefix part {m}" for m in is_dns1123_subdomain(prefix)]
        if errs:
            return errs
    else:
        return [
            f"a qualified name {QUALIFIED_NAME_MSG} with an optional DNS subdomain prefix and "
            "'/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        return ["name part must be non-empty"]
    errs = [f"name part {m}" for m in _max_len(name, 63)]
    if not _QUALIFIED.match(name):
        errs.append(f"name part {QUALIFIED_NAME_MSG}")
    return errs


def is_label_value(value: str) -> list[str]:
    """A label value (may be empty)."""
    errs = _max_len(value, 63)
    if not _LABEL_VALUE.match(value):
        errs.append(LABEL_VALUE_MSG)
    return errs


def is_port_num(port: Any) -> list[str]:
    """A TCP/UDP port number."""
    if isinstance(port, int) and 1 <= port <= 65535:
        return []
    return ["must be between 1 and 65535, inclusive"]


def is_port_name(name: str) -> list[str]:
    """An IANA_SVC_NAME (container and service port names)."""
    errs = []
    if len(name) > 15:
        errs.append("must be no more than 15 characters")
    if not re.match(r"^[-a-z0-9]+$", name):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not re.search(r"[a-z]", name):
        errs.append("must contain at least one letter (a-z)")
    if "--" in name:
        errs.append("must not contain consecutive hyphens")
    if name.startswith("-") or name.endswith("-"):
        errs.append("must not begin or end with a hyphen")
    return errs


def validate_labels(labels: dict[str, Any] | None, path: FieldPath) -> list[FieldError]:
    """Label keys and values (``ValidateLabels``)."""
    errs: list[FieldError] = []
    for key, value in (labels or {}).items():
        errs += [invalid(path, key, m) for m in is_qualified_name(key)]
        errs += [invalid(path, value, m) for m in is_label_value(str(value))]
    return errs


def validate_annotations(annotations: dict[str, Any] | None, path: FieldPath) -> list[FieldError]:
    """Annotation keys (``ValidateAnnotations``; values are free text up to 256 KiB)."""
    errs: list[FieldError] = []
    for key in annotations or {}:
        errs += [invalid(path, key, m) for m in is_qualified_name(key.lower())]
    return errs


def validate_label_selector(selector: dict[str, Any], path: FieldPath) -> list[FieldError]:
    """``ValidateLabelSelector``."""
    errs = validate_labels(selector.get("matchLabels"), (*path, "matchLabels"))
    for i, expr in enumerate(selector.get("matchExpressions") or []):
        p = (*path, "matchExpressions", i)
        op, values = expr.get("operator"), expr.get("values") or []
        if op in ("In", "NotIn"):
            if not values:
                errs.append(
                    required((*p, "values"), "must be specified when `operator` is 'In' or 'NotIn'")
                )
        elif op in ("Exists", "DoesNotExist"):
            if values:
                errs.append(
                    forbidden(
                        (*p, "values"),
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                    )
                )
        else:
            errs.append(invalid((*p, "operator"), op or "", "not a valid selector operator"))
        errs += validate_labels({str(expr.get("key") or ""): ""}, (*p, "key"))
    return errs
