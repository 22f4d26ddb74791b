"""Errors that users see: a stable code plus a translated message."""

from flask_babel import lazy_gettext

# One translated sentence per error code; clients show `message`, programs use `code`.
MESSAGES = {
    "invalid": lazy_gettext("The request was not understood. Please reload the page."),
    "too_long": lazy_gettext("The text is too long (at most %(max)s characters)."),
    "empty": lazy_gettext("Please write something first."),
    "not_joined": lazy_gettext("You are not connected to a session. Please reload the page."),
    "not_found": lazy_gettext("That item no longer exists."),
    "session_not_found": lazy_gettext("No session was found with that code."),
    "forbidden": lazy_gettext("You do not have access to this session."),
    "session_closed": lazy_gettext("This session has ended."),
    "session_not_started": lazy_gettext("The session has not started yet."),
    "session_not_live": lazy_gettext("The session is not running."),
    "already_started": lazy_gettext("The session has already started."),
    "no_such_phase": lazy_gettext("There is no such phase."),
    "phase_closed": lazy_gettext("Input is closed in this phase."),
    "wrong_phase": lazy_gettext("That cannot be done in the current phase."),
    "budget_exceeded": lazy_gettext("You have used all your votes (%(budget)s)."),
    "cap_exceeded": lazy_gettext("At most %(cap)s votes per item."),
    "too_many_ideas": lazy_gettext("You have reached the maximum of %(max)s ideas in this phase."),
    "idea_deleted": lazy_gettext("This idea was deleted, so it was not posted again."),
    "not_yours": lazy_gettext("You can only change your own ideas."),
    "rate_limited": lazy_gettext("Too many attempts. Please wait a moment."),
    "server_error": lazy_gettext("Something went wrong on our side. Please try again."),
    "unauthorized": lazy_gettext("Please sign in."),
    "bad_date": lazy_gettext("Please give the date as YYYY-MM-DD."),
    "email_taken": lazy_gettext("An account with this email address already exists."),
    "csrf_failed": lazy_gettext("This page has expired. Please reload it and try again."),
    "too_large": lazy_gettext("The request is too large."),
    "unknown_model": lazy_gettext("No such workshop template."),
    "empty_selection": lazy_gettext("Choose at least one idea first."),
    "selection_too_large": lazy_gettext("You can move at most %(max)s ideas at a time."),
    "not_groupable": lazy_gettext(
        "Only ideas from the phase this grouping sorts can be put under its themes."
    ),
    "session_not_closed": lazy_gettext("Only a closed session can be reopened."),
    "session_deleted": lazy_gettext("This session has been deleted. It no longer exists."),
    # small_groups
    "no_group": lazy_gettext("You are not in a group yet."),
    "group_full": lazy_gettext("That group is full (at most %(max)s people)."),
    "group_empty": lazy_gettext("That group has nobody in it."),
    "writer_only": lazy_gettext("Only your group's writer can write here."),
    "writer_taken": lazy_gettext("Your group already has a writer."),
    "groups_by_facilitator": lazy_gettext("The facilitator puts people into groups."),
    "groups_not_formed": lazy_gettext("The groups have not been formed yet."),
    "last_round": lazy_gettext("This is already the last round."),
    # poll and private
    "too_many_choices": lazy_gettext("Choose at most %(max)s options."),
    "not_shareable": lazy_gettext("The answers of this phase stay on your phone."),
    "too_many_deleted": lazy_gettext(
        "You have added and deleted too many ideas in this phase to add more."
    ),
    # teams (facilitator/teams.py)
    "stale": lazy_gettext(
        "Someone else changed this item meanwhile. Its current state is shown; "
        "please make your change again."
    ),
    "link_revoked": lazy_gettext("This link no longer works. Ask your team for the new one."),
    "owner_only": lazy_gettext("Only the team's owner can do that."),
    "no_account": lazy_gettext("No facilitator account was found with that email address."),
    # series and input before the session (facilitator/series.py, collecting.py)
    "invalid_window": lazy_gettext("The input window must end after it begins, and in the future."),
    "not_collecting": lazy_gettext("The session is not taking input before it starts."),
    "collecting_not_open": lazy_gettext("Input opens on %(date)s."),
    "collecting_closed": lazy_gettext(
        "Input before the session closed on %(date)s. You can take part in the session itself."
    ),
    "not_in_series": lazy_gettext("That template does not belong to this series."),
    "item_kind_not_allowed": lazy_gettext(
        "This session's template does not record that kind of item."
    ),
    # review (facilitator/phases/review)
    "already_carried": lazy_gettext(
        "This item was carried forward; change the new item in its later session instead."
    ),
}

# Appended to `server_error` messages so a person can quote it to support.
ERROR_REFERENCE = lazy_gettext("Error reference: %(error_id)s")


def new_error_id() -> str:
    """Return a short random id that ties a `server_error` answer to its log line."""
    import secrets

    return secrets.token_hex(4)


class OperationError(Exception):
    """A refused operation, carrying an error code and message parameters."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params

    def to_dict(self) -> dict:
        """Return the error as the `{code, message}` pair sent to clients."""
        return error_dict(self.code, **self.params)


def error_dict(code: str, **params) -> dict:
    """Return a `{code, message}` pair with the message in the current language."""
    message = str(MESSAGES.get(code, MESSAGES["invalid"]))
    error_id = params.pop("error_id", None)
    if params:
        message = message % params
    if error_id:
        reference = str(ERROR_REFERENCE) % {"error_id": error_id}
        return {"code": code, "message": f"{message} {reference}", "error_id": error_id}
    return {"code": code, "message": message}
