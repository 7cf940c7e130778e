"""API tokens with a life: issued, expiring, revoked.

Tokens are django-rest-knox's: only a SHA-512 digest of each is stored (the key
is shown once, when issued), each has an expiry (settings.API_TOKEN_DAYS, knox's
TOKEN_TTL), and an expired token is refused (401) and deleted by knox's
authentication. A user may hold several (one per script or machine); each is
revoked on its own (`DELETE /api/v1/auth/token/`).

All of a user's tokens are revoked when their password changes or they are
deactivated, whichever way that happens (the admin's user and password forms,
`set_password()` + `save()`, `manage.py changepassword`, Django's password
views): a pre_save signal on the user model compares the password hash and the
active flag with the stored row, and post_save deletes the tokens in the same
transaction as the change. Writes that bypass save() (`QuerySet.update`) are
refused by the CI gate (tests/hardening/test_code_gate.py). A password hash
upgraded by Django at sign-in (a new hasher or iteration count) counts as a
change too, as it does for Django's own sessions: the user signs in again.
An inactive user's token is also refused by knox itself.
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from knox.models import AuthToken

logger = logging.getLogger("sistercities.audit")

# Scripts that sign in on every run would pile tokens up (and knox reads all of a
# user's tokens on every request to drop the expired ones): beyond this many,
# issuing a token revokes the oldest.
MAX_TOKENS_PER_USER = 10

# The user fields whose change ends every token of the user.
_CREDENTIAL_FIELDS = {"password", "is_active"}
_PENDING_ATTR = "_sistercities_revoke_tokens"


def issue_token(user) -> tuple[AuthToken, str]:
    """A new token for `user`: (the stored row, the key to hand out once)."""
    with transaction.atomic():
        token, key = AuthToken.objects.create(user=user)
        keep = AuthToken.objects.filter(user=user).order_by("-created", "-digest")
        surplus = list(keep.values_list("digest", flat=True)[MAX_TOKENS_PER_USER:])
        AuthToken.objects.filter(
            Q(digest__in=surplus) | Q(user=user, expiry__lt=timezone.now())
        ).delete()
    logger.info("api token issued username=%s expires=%s", user.get_username(), token.expiry)
    return token, key


def revoke_token(token: AuthToken) -> None:
    """Revoke one token (its owner signing a script out)."""
    username = token.user.get_username()
    token.delete()
    logger.info("api token revoked username=%s", username)


def _note_credential_change(sender, instance, raw: bool = False, update_fields=None, **kwargs):
    """Before a user is saved: did the password hash change, or was the user deactivated?"""
    if raw or instance.pk is None:
        return
    if update_fields is not None and not _CREDENTIAL_FIELDS & set(update_fields):
        return  # e.g. last_login on every sign-in: no extra query
    stored = sender._base_manager.filter(pk=instance.pk).values("password", "is_active").first()
    if stored is None:
        return
    reasons = []
    if stored["password"] != instance.password:
        reasons.append("password changed")
    if stored["is_active"] and not instance.is_active:
        reasons.append("deactivated")
    if reasons:
        setattr(instance, _PENDING_ATTR, ", ".join(reasons))


def _revoke_after_credential_change(sender, instance, raw: bool = False, **kwargs):
    reason = instance.__dict__.pop(_PENDING_ATTR, None)
    if raw or not reason:
        return
    count, _deleted = AuthToken.objects.filter(user=instance).delete()
    if count:
        logger.info(
            "api tokens revoked username=%s count=%s reason=%s",
            instance.get_username(),
            count,
            reason,
        )


def connect_signals() -> None:
    """Called from AgreementsConfig.ready()."""
    user_model = get_user_model()
    pre_save.connect(
        _note_credential_change, sender=user_model, dispatch_uid="sistercities_token_note"
    )
    post_save.connect(
        _revoke_after_credential_change, sender=user_model, dispatch_uid="sistercities_token_revoke"
    )
