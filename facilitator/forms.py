"""HTML forms (Flask-WTF gives CSRF protection and validation)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from .config import LANGUAGES


class SignupForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(min=10, max=200, message=_l("At least 10 characters."))],
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


class JoinForm(FlaskForm):
    # Joining needs no CSRF token: it only reads, and phones may arrive from a cached page.
    class Meta:
        csrf = False

    code = StringField(_l("Join code"), validators=[DataRequired(), Length(max=20)])
