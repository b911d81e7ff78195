"""factory_boy factories for the records the tests build."""

from __future__ import annotations

from typing import Any

import factory

from buudien.core.models import Role, User
from buudien.network.models import CommunePointProfile, Partner, PostUnit


class PostUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostUnit

    code = factory.Sequence(lambda n: f"U{n:05d}")
    name = factory.Sequence(lambda n: f"Đơn vị {n}")
    kind = PostUnit.Kind.PROVINCE
    parent = None

    @classmethod
    def _create(cls, model_class: type[PostUnit], *args: Any, **kwargs: Any) -> PostUnit:
        unit = model_class(*args, **kwargs)
        unit.refresh_path()
        unit.save()
        if unit.kind == PostUnit.Kind.COMMUNE_POINT:
            CommunePointProfile.objects.create(unit=unit)
        return unit


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    code = factory.Sequence(lambda n: f"DT{n:03d}")
    name = factory.Sequence(lambda n: f"Cơ quan đối tác {n}")
    kind = Partner.Kind.SOCIAL_INSURANCE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"Người dùng {n}")
    role = Role.CLERK
    password = factory.PostGenerationMethodCall("set_password", "mat-khau-123")

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        if create:
            obj.save()
