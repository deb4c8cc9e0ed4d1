from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guidance_portal.models import OwedEmail
from guidance_portal.validators import single_line


def normalise_email(email: str) -> str:
    """The one spelling of an e-mail address that storage, sign-in and lockouts agree on.

    Stripped and lower-cased, after upper-casing each character the way PostgreSQL's
    case-insensitive comparison (``UPPER()``, simple case mapping) does: Django's e-mail
    validator accepts "ſ" and "ı", which PostgreSQL matches with "S" and "I", so
    "ſomeone@example.org" is someone@example.org here too. A character whose upper case is
    longer ("ß") is kept: PostgreSQL keeps it as well.
    """
    upper = "".join(c.upper() if len(c.upper()) == 1 else c for c in email.strip())
    return upper.lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email: str) -> "User":
        return self.get(email__iexact=email)

    def _create(self, email: str, password: str | None, **fields) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=normalise_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A counsellor or an administrator. Citizens need no account."""

    email = models.EmailField(_("e-mail address"), unique=True, validators=[single_line])
    full_name = models.CharField(
        _("full name"), max_length=150, blank=True, validators=[single_line]
    )
    language = models.CharField(
        _("preferred language"),
        max_length=2,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        validators=[single_line],
    )
    is_staff = models.BooleanField(
        _("administrator"),
        default=False,
        help_text=_("Administrators moderate the register and reach the admin site."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class PasswordResetRequest(OwedEmail):
    """A "forgot my password" request, with the address as typed. The request only stores it;
    the worker looks the account up, so asking costs the same whether an account uses the
    address or not."""

    email = models.EmailField(_("e-mail address typed"), validators=[single_line])
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        validators=[single_line],
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account found"),
    )

    class Meta:
        verbose_name = _("password reset request")
        verbose_name_plural = _("password reset requests")

    def __str__(self) -> str:
        return f"{self.email} ({self.requested_at:%Y-%m-%d %H:%M})"
