"""Audit action names are one closed vocabulary, `AuditAction`, and rows store them as before."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from kollega.core.audit import SEEKER, SYSTEM, AuditAction, record
from kollega.core.models import AuditEvent

SRC = Path(__file__).resolve().parents[2] / "src" / "kollega"


def _is_audit_action(node: ast.expr, parameters: dict[str, str]) -> bool:
    """True for `AuditAction.X`, `AuditAction(...)`, either of two such members, or a
    parameter of the enclosing function annotated `AuditAction`."""
    if isinstance(node, ast.Attribute):
        return isinstance(node.value, ast.Name) and node.value.id == "AuditAction"
    if isinstance(node, ast.Call):
        return isinstance(node.func, ast.Name) and node.func.id == "AuditAction"
    if isinstance(node, ast.IfExp):
        return _is_audit_action(node.body, parameters) and _is_audit_action(node.orelse, parameters)
    if isinstance(node, ast.Name):
        return parameters.get(node.id) == "AuditAction"
    return False


def _record_calls_without_a_member(path: Path) -> list[str]:
    """Where `path` calls `record()` with an action that is not an `AuditAction`."""
    wrong: list[str] = []

    def visit(node: ast.AST, parameters: dict[str, str]) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = node.args
            parameters = {
                argument.arg: ast.unparse(argument.annotation)
                for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
                if argument.annotation is not None
            }
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name == "record":
                action = node.args[1] if len(node.args) > 1 else None
                action = action or next((k.value for k in node.keywords if k.arg == "action"), None)
                if action is None or not _is_audit_action(action, parameters):
                    wrong.append(f"{path.relative_to(SRC.parent)}:{node.lineno}")
        for child in ast.iter_child_nodes(node):
            visit(child, parameters)

    visit(ast.parse(path.read_text(encoding="utf-8")), {})
    return wrong


def _sources(*apps: str) -> list[Path]:
    roots = [SRC / app for app in apps] if apps else [SRC]
    return [
        path
        for root in roots
        for path in sorted(root.rglob("*.py"))
        if "migrations" not in path.parts and path != SRC / "core" / "audit.py"
    ]


def test_every_record_call_in_src_passes_an_audit_action() -> None:
    wrong = [where for path in _sources() for where in _record_calls_without_a_member(path)]
    assert wrong == []


def test_every_action_name_is_app_dot_object_dot_verb_and_named_after_itself() -> None:
    for action in AuditAction:
        assert action.value.split(".")[0] in {
            "accounts",
            "peers",
            "reports",
            "research",
            "service",
            "workbench",
        }
        assert action.name == action.value.upper().replace(".", "_")


@pytest.mark.django_db
def test_a_recorded_action_is_stored_as_its_plain_name() -> None:
    record(SEEKER, AuditAction.SERVICE_REQUEST_CANCEL, object_type="service.case", object_id=1)
    record(SYSTEM, AuditAction.SERVICE_URGENT_ESCALATE)
    rows = AuditEvent.objects.order_by("pk")
    assert [(row.actor_label, row.action) for row in rows] == [
        ("seeker", "service.request.cancel"),
        ("system", "service.urgent.escalate"),
    ]
    assert AuditEvent.objects.filter(action="service.request.cancel").count() == 1
    assert type(rows[0].action) is str
