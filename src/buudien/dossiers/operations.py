"""How dossier intake and the point's steps travel from a point's laptop (point mode).

A step the point took offline on a dossier the province moved meanwhile is not forced: it
becomes a conflict for a manager, with both states named."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from buudien.core import journal
from buudien.core.journal import Applying, Conflicted, Flag, Kind
from buudien.counter import selectors as counter_selectors
from buudien.dossiers import selectors
from buudien.dossiers.services import lifecycle
from buudien.dossiers.services.intake import DocumentIn, intake

_INTAKE = (
    ("citizen_name", "n", ""),
    ("citizen_id", "i", ""),
    ("phone", "p", ""),
    ("address", "a", ""),
    ("channel", "ch", "counter"),
    ("home_delivery", "h", False),
    ("representative_name", "rn", ""),
    ("representative_id", "ri", ""),
    ("request_key", "k", ""),
)


def _encode_intake(kw: dict[str, Any], result: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "s": str(kw["session"].pk),
        "pr": kw["procedure"].code,
        "d": [[d.required_id, d.name, d.form, d.count] for d in kw["documents"]],
    }
    for attr, key, default in _INTAKE:
        if kw.get(attr, default) != default:
            out[key] = kw[attr]
    return out


def _apply_intake(p: dict[str, Any], ctx: Applying) -> Any:
    values = {attr: p.get(key, default) for attr, key, default in _INTAKE}
    return intake(
        clerk=ctx.user,
        session=counter_selectors.shift_at(unit_id=ctx.point_id, pk=p["s"]),
        procedure=selectors.procedure(code=p["pr"]),
        documents=[DocumentIn(*d) for d in p["d"]],
        **values,
    )


def _encode_step(kw: dict[str, Any], result: Any) -> dict[str, Any]:
    known = {"dossier", "actor", "action", "expected_version", "note"}
    out: dict[str, Any] = {"d": kw["dossier"].code, "a": kw["action"]}
    if kw.get("note"):
        out["n"] = kw["note"]
    extra = {k: v for k, v in kw.items() if k not in known}
    if extra:
        out["x"] = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in extra.items()}
    return out


_DATES = ("appointment_date", "by", "next_attempt")


def _data(extra: dict[str, Any]) -> dict[str, Any]:
    return {
        k: dt.date.fromisoformat(v) if k in _DATES and isinstance(v, str) else v
        for k, v in extra.items()
    }


def _apply_step(p: dict[str, Any], ctx: Applying) -> Any:
    dossier = selectors.dossier(user=ctx.user, code=p["d"])
    if p["a"] not in lifecycle.allowed_actions(dossier):
        raise Conflicted(
            Flag(
                kind="dossier_moved",
                message=_(
                    "Hồ sơ %(code)s: tại điểm đã «%(step)s» khi mất kết nối, nhưng ở tỉnh hồ sơ "
                    "đã sang trạng thái «%(state)s»."
                )
                % {
                    "code": dossier.code,
                    "step": _(lifecycle.TRANSITIONS[p["a"]].label)
                    if p["a"] in lifecycle.TRANSITIONS
                    else p["a"],
                    "state": dossier.get_status_display(),
                },
                details={"dossier": dossier.code, "action": p["a"], "state": dossier.status},
            )
        )
    return lifecycle.transition(
        dossier=dossier, actor=ctx.user, action=p["a"], note=p.get("n", ""), **_data(p.get("x", {}))
    )


def register() -> None:
    journal.register(
        Kind(
            "dossiers.intake",
            "i",
            _encode_intake,
            _apply_intake,
            ids=frozenset({"i", "ri"}),
            phones=frozenset({"p"}),
        ),
        Kind("dossiers.transition", "t", _encode_step, _apply_step),
    )
