"""Signing in within the app: who the current browser session is, the sign-in form, the user box with sign-out,
and the projector's gate (anonymous viewing, a kiosk token, or a signed-in session).

The session's token lives in Streamlit's server-side session state only (never in the URL or a cookie the page
script can read); the database knows it by its digest and ends it on sign-out, idle time-out or when the user is
disabled, on every server. A reload of the browser tab starts a new Streamlit session and asks again.
"""

from __future__ import annotations

import streamlit as st

from kpi.access import Actor
from kpi.auth import KIOSK, SignInError, resume, sign_in, sign_in_by_email, sign_out
from kpi.i18n import t
from kpi.settings import Settings, load_settings
from kpi.store import Store
from ui import data
from ui.markdown import md_escape

TOKEN_KEY = "auth_token"


def _oidc_configured() -> bool:
    """True when `.streamlit/secrets.toml` has an `[auth]` section (an OpenID Connect provider for st.login)."""
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file
        return False


def _oidc_email() -> tuple[str, bool] | None:
    """(e-mail, verified) of the identity the provider signed in, or None. A provider that says nothing of
    verification is trusted to have verified (it is the department's own); one that says False is not."""
    try:
        if st.user.is_logged_in and st.user.get("email"):
            return str(st.user["email"]), st.user.get("email_verified") is not False
    except (AttributeError, KeyError):
        return None
    return None


def _forget_work() -> None:
    """Drop what the last user had checked or chosen on the upload page: it is not the next user's."""
    for key in list(st.session_state):
        if key.startswith(("upload_", "undo_")):
            del st.session_state[key]


def current_actor(store: Store, lang: str) -> tuple[Actor, Settings]:
    """Who this browser session is (a signed-in user, or an anonymous viewer who may view when the settings
    allow it) and the access settings in force. A session that ended elsewhere (sign-out on another server, idle
    time-out, a disabled user) is dropped here with a message, and so is the organisation sign-in behind it: the
    next sign-in must be a fresh one."""
    with store.connect() as conn:
        settings = load_settings(conn)
    token = st.session_state.get(TOKEN_KEY)
    if token is None and _oidc_configured() and (identity := _oidc_email()):
        email, verified = identity
        session = sign_in_by_email(store, email) if verified else None
        if session is None:
            st.error(md_escape(t("signin.unknown_email" if verified else "signin.unverified_email", lang,
                                 email=email)))
            st.button(t("signin.out", lang), on_click=st.logout)
        else:
            st.session_state[TOKEN_KEY] = token = session.token
    if token is not None:
        actor = resume(store, token)
        if actor is not None:
            return actor, settings
        del st.session_state[TOKEN_KEY]
        _forget_work()
        st.info(t("signin.expired", lang))
        if _oidc_email():
            st.logout()
    return Actor.anonymous(settings.anonymous_viewing), settings


def _submit(store: Store, lang: str) -> None:
    username = st.session_state.get("signin_username", "")
    password = st.session_state.get("signin_password", "")
    st.session_state["signin_password"] = ""  # never kept in the session after the attempt
    try:
        session = sign_in(store, username, password)
    except SignInError:
        with store.connect() as conn:
            minutes = load_settings(conn).lockout_minutes
        st.session_state["signin_error"] = t("signin.bad_credentials", lang, minutes=minutes)
        return
    st.session_state[TOKEN_KEY] = session.token
    st.session_state.pop("signin_error", None)


def signin_form(store: Store, lang: str) -> None:
    """The sign-in form (user name and password; and the organisation's sign-in where one is configured)."""
    st.title(t("signin.title", lang))
    with st.form("signin", clear_on_submit=False):
        st.text_input(t("signin.username", lang), key="signin_username", max_chars=64, autocomplete="username")
        st.text_input(t("signin.password", lang), key="signin_password", type="password", max_chars=256,
                      autocomplete="current-password")
        st.form_submit_button(t("signin.submit", lang), type="primary", on_click=_submit, args=(store, lang))
    if "signin_error" in st.session_state:
        st.error(st.session_state.pop("signin_error"))
    if _oidc_configured():
        st.button(t("signin.oidc", lang), on_click=st.login)


def refuse(store: Store, actor: Actor, lang: str) -> None:
    """In place of a page the actor may not open: the sign-in form for someone not signed in, else a refusal."""
    if not actor.signed_in:
        st.info(t("signin.needed", lang))
        signin_form(store, lang)
    else:
        st.error(t("signin.denied", lang))


def _sign_out(store: Store) -> None:
    sign_out(store, st.session_state.pop(TOKEN_KEY, None))
    _forget_work()
    if _oidc_email():
        st.logout()


def user_box(box, store: Store, actor: Actor, lang: str) -> None:
    """Who is signed in, with a sign-out button, in the sidebar container `box` under the page links (plain text:
    a display name is the user's own)."""
    if actor.signed_in:
        box.text(t("signin.as", lang, name=actor.display_name or actor.name))
        box.button(t("signin.out", lang), key="signout", on_click=_sign_out, args=(store,))
    else:
        box.caption(t("signin.anonymous", lang) if actor.permissions else "")


def projector_gate() -> bool:
    """True when the projector may show the figures: anonymous viewing is on, or the URL carries a live kiosk
    token, or this browser session is signed in. Asked on every slide, so a revoked token stops the show."""
    store, _ = data.store_and_plans(data.database_url())
    with store.connect() as conn:
        if load_settings(conn).anonymous_viewing:
            return True
    kiosk = st.query_params.get("kiosk")
    if kiosk and resume(store, kiosk, kind=KIOSK) is not None:
        return True
    return resume(store, st.session_state.get(TOKEN_KEY)) is not None
