"""HTML forms (Flask-WTF gives CSRF protection and validation)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from .config import LANGUAGES

# Passwords: the same rule at sign-up, on the account page and in `reset-password`.
PASSWORD_MIN_CHARS = 10
PASSWORD_MAX_CHARS = 200


class SignupForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(),
            Length(
                min=PASSWORD_MIN_CHARS,
                max=PASSWORD_MAX_CHARS,
                message=_l("At least 10 characters."),
            ),
        ],
    )
    password2 = PasswordField(
        _l("Password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in"))


class SessionForm(FlaskForm):
    title = StringField(_l("Session title"), validators=[DataRequired(), Length(max=200)])
    team_name = StringField(_l("Work community or team"), validators=[Length(max=200)])
    language = SelectField(_l("Language of the session"), choices=LANGUAGES, default="fi")
    model_id = RadioField(_l("Workshop template"), validators=[DataRequired()], choices=[])
    # Only teams the facilitator owns or shares (choices set by the view).
    team_id = SelectField(_l("Team"), choices=[], default="")
    # For a template that is part of a series: "new" or one of the team's series.
    series = SelectField(_l("Series"), choices=[], default="new")


class JoinForm(FlaskForm):
    # Joining needs no CSRF token: it only reads, and phones may arrive from a cached page.
    class Meta:
        csrf = False

    code = StringField(_l("Join code"), validators=[DataRequired(), Length(max=20)])


class SessionEditForm(FlaskForm):
    """Rename a session: the same limits as on the new-session form."""

    title = StringField(_l("Session title"), validators=[DataRequired(), Length(max=200)])
    team_name = StringField(_l("Work community or team"), validators=[Length(max=200)])


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    language = SelectField(_l("Language of the interface"), choices=LANGUAGES, default="fi")


class PasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=PASSWORD_MAX_CHARS)]
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(
                min=PASSWORD_MIN_CHARS,
                max=PASSWORD_MAX_CHARS,
                message=_l("At least 10 characters."),
            ),
        ],
    )
    new_password2 = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The passwords do not match.")),
        ],
    )


class DeleteAccountForm(FlaskForm):
    """Deleting the account: the password confirms that it is really the owner."""

    password = PasswordField(
        _l("Your password"), validators=[DataRequired(), Length(max=PASSWORD_MAX_CHARS)]
    )
