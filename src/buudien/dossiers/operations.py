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
from buudien.dossiers.services import batches, complaints, lifecycle
from buudien.dossiers.services.intake import DocumentIn, intake
from buudien.network import selectors as network_selectors

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
    return out | journal.pack(kw, _INTAKE)


def _apply_intake(p: dict[str, Any], ctx: Applying) -> Any:
    values = journal.unpack(p, _INTAKE)
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


def _encode_open_batch(kw: dict[str, Any], result: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "g": kw["agency"].code,
        "r": kw["direction"],
        "d": [d.code for d in kw["dossiers"]],
    }
    if kw.get("unit") is not None:
        out["u"] = kw["unit"].code
    return out


def _apply_open_batch(p: dict[str, Any], ctx: Applying) -> Any:
    return batches.open_batch(
        actor=ctx.user,
        agency=selectors.agency(user=ctx.user, code=p["g"]),
        direction=p["r"],
        dossiers=[selectors.dossier(user=ctx.user, code=code) for code in p["d"]],
        unit=network_selectors.unit_by_code(ctx.user, p["u"]) if p.get("u") else None,
    )


def _encode_batch(kw: dict[str, Any], result: Any) -> dict[str, Any]:
    return {"b": kw["batch"].code}


def _apply_send(p: dict[str, Any], ctx: Applying) -> Any:
    return batches.send_batch(actor=ctx.user, batch=selectors.batch(user=ctx.user, code=p["b"]))


def _apply_arrival(p: dict[str, Any], ctx: Applying) -> Any:
    # The signed slip's photo stays on the laptop: a file does not travel on a 2G link.
    batch = selectors.batch(user=ctx.user, code=p["b"])
    return batches.confirm_arrival(actor=ctx.user, batch=batch)


def _encode_complaint(kw: dict[str, Any], result: Any) -> dict[str, Any]:
    out = {"d": kw["dossier"].code, "k": kw["kind"], "t": kw["description"]}
    if kw.get("interprovincial"):
        out["x"] = True
    return out


def _apply_complaint(p: dict[str, Any], ctx: Applying) -> Any:
    return complaints.file_complaint(
        actor=ctx.user,
        dossier=selectors.dossier(user=ctx.user, code=p["d"]),
        kind=p["k"],
        description=p["t"],
        interprovincial=bool(p.get("x")),
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
        Kind("dossiers.open_batch", "b", _encode_open_batch, _apply_open_batch),
        Kind("dossiers.send_batch", "s", _encode_batch, _apply_send),
        Kind("dossiers.confirm_arrival", "a", _encode_batch, _apply_arrival),
        Kind("dossiers.file_complaint", "f", _encode_complaint, _apply_complaint),
    )
