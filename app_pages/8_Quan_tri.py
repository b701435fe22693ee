"""Administration: users (roles, units, passwords, enabled or not), kiosk tokens for meeting-room screens, access
settings, and the audit, read-only. Every change made here is itself in the audit."""

from __future__ import annotations

from dataclasses import asdict

import pandas as pd
import streamlit as st

from kpi.access import Role
from kpi.audit import Action, audit_frame
from kpi.auth import check_password_rules, hash_password, issue_kiosk_token, revoke_kiosk_tokens, set_password
from kpi.fmt import format_time, vietnam_day_start
from kpi.i18n import t
from kpi.settings import BOUNDS, SettingError, change_setting
from kpi.users import UserError, add_user, change_user, get_user, list_users, normalise_username, set_disabled
from ui.downloads import download_table
from ui.frame import current
from ui.markdown import md_escape

ctx = current()
lang, store, actor = ctx.lang, ctx.store, ctx.actor
known_units = {u.code for plan in ctx.plans.values() for u in plan.units}
unit_names = {u.code: u.name(lang) for u in ctx.plan.units}
roles = [r.value for r in Role]
st.title(t("admin.title", lang))
if "admin_done" in st.session_state:
    st.success(st.session_state.pop("admin_done"))


def _done(message: str) -> None:
    st.session_state["admin_done"] = md_escape(message)  # names and room labels are typed by people
    st.rerun()


def _fail(exc: UserError | SettingError) -> None:
    if isinstance(exc, UserError):
        st.error(md_escape(t(f"user.{exc.code}", lang, **exc.params)))
    else:
        st.error(md_escape(t(f"setting.{exc.code}", lang, name=exc.name, value=exc.value)))


users_tab, kiosk_tab, settings_tab, audit_tab = st.tabs(
    [t("admin.users", lang), t("nav.kiosk", lang), t("admin.settings", lang), t("admin.audit", lang)])

with users_tab, store.connect() as conn:
    people = list_users(conn)
with users_tab:
    st.dataframe(pd.DataFrame({
        t("col.username", lang): people["username"],
        t("col.display_name", lang): people["display_name"],
        t("col.email", lang): people["email"].fillna(""),
        t("col.roles", lang): [", ".join(t(f"role.{r}", lang) for r in text.split(", ") if r)
                               for text in people["roles"]],
        t("col.units", lang): people["units"],
        t("col.disabled", lang): [t("admin.yes", lang) if d else "" for d in people["disabled"]],
        t("col.locked_until", lang): [format_time(v) if pd.notna(v) else "" for v in people["locked_until"]],
    }), hide_index=True, width="stretch")
    # Forms clear on submit: a password just set must not stay in a box that can reveal it.
    with st.expander(t("admin.add", lang)), st.form("add_user", clear_on_submit=True):
        name = st.text_input(t("col.username", lang), max_chars=64)
        display = st.text_input(t("col.display_name", lang), max_chars=200)
        email = st.text_input(t("col.email", lang), max_chars=254)
        chosen_roles = st.multiselect(t("col.roles", lang), roles, format_func=lambda r: t(f"role.{r}", lang))
        chosen_units = st.multiselect(t("col.units", lang), sorted(unit_names),
                                      format_func=lambda c: f"{c} — {unit_names[c]}")
        first = st.text_input(t("signin.password", lang), type="password", max_chars=256)
        again = st.text_input(t("admin.password_again", lang), type="password", max_chars=256)
        if st.form_submit_button(t("admin.add", lang), type="primary"):
            try:
                username = normalise_username(name)
                if first != again:
                    raise UserError("password_mismatch")
                check_password_rules(username, first)
                add_user(store, actor.name, username, roles=chosen_roles, units=chosen_units, known_units=known_units,
                         display_name=display, email=email or None, password_hash=hash_password(first))
                role_names = ", ".join(t(f"role.{r}", lang) for r in chosen_roles)
                _done(t("cli.user_added", lang, user=username, roles=role_names, units=", ".join(chosen_units) or "—"))
            except UserError as exc:
                _fail(exc)
    if not people.empty:
        with st.expander(t("admin.change", lang)):
            who = st.selectbox(t("col.username", lang), people["username"].tolist(), key="admin_user")
            with store.connect() as conn:
                user = get_user(conn, who)
            with st.form("change_user"):
                new_roles = st.multiselect(t("col.roles", lang), roles, default=sorted(user.roles),
                                           format_func=lambda r: t(f"role.{r}", lang))
                new_units = st.multiselect(t("col.units", lang), sorted(known_units), default=sorted(user.units),
                                           format_func=lambda c: f"{c} — {unit_names.get(c, c)}")
                if st.form_submit_button(t("admin.save", lang)):
                    try:
                        change_user(store, actor.name, who, roles=new_roles, units=new_units, known_units=known_units)
                        _done(t("admin.saved", lang))
                    except UserError as exc:
                        _fail(exc)
            with st.form("password", clear_on_submit=True):
                first = st.text_input(t("signin.password", lang), type="password", max_chars=256)
                again = st.text_input(t("admin.password_again", lang), type="password", max_chars=256)
                if st.form_submit_button(t("admin.set_password", lang)):
                    try:
                        if first != again:
                            raise UserError("password_mismatch")
                        set_password(store, actor.name, who, first)
                        _done(t("cli.password_set", lang, user=who))
                    except UserError as exc:
                        _fail(exc)
            verb = "enable" if user.disabled else "disable"
            if st.button(t(f"admin.{verb}", lang), key="admin_toggle"):
                try:
                    set_disabled(store, actor.name, who, verb == "disable")
                    _done(t(f"cli.user_{verb}d", lang, user=who))
                except UserError as exc:
                    _fail(exc)

with kiosk_tab:
    st.caption(t("admin.kiosk_caption", lang))
    if not people.empty:
        with st.form("kiosk"):
            who = st.selectbox(t("col.username", lang), people["username"].tolist())
            label = st.text_input(t("admin.kiosk_label", lang), max_chars=120)
            if st.form_submit_button(t("admin.kiosk_issue", lang)) and label.strip():
                token = issue_kiosk_token(store, actor.name, who, label)
                st.code(f"/?view=projector&kiosk={token}", language=None)
    with st.form("revoke"):
        label = st.text_input(t("admin.kiosk_label", lang), max_chars=120, key="revoke_label")
        if st.form_submit_button(t("admin.kiosk_revoke", lang)) and label.strip():
            _done(t("cli.kiosk_revoked", lang, n=revoke_kiosk_tokens(store, actor.name, label), label=label))

with settings_tab, st.form("settings"):
    now_set = asdict(ctx.settings)
    wanted = {"anonymous_viewing": st.toggle(t("setting.anonymous_viewing", lang), value=now_set["anonymous_viewing"])}
    for key, (low, high) in BOUNDS.items():
        wanted[key] = st.number_input(t(f"setting.{key}", lang), min_value=low, max_value=high, value=now_set[key])
    if st.form_submit_button(t("admin.save", lang), type="primary"):
        try:
            for key, value in wanted.items():
                if value != now_set[key]:
                    change_setting(store, actor.name, key, ("on" if value else "off") if isinstance(value, bool)
                                   else str(int(value)))
            _done(t("admin.saved", lang))
        except SettingError as exc:
            _fail(exc)

with audit_tab:
    cols = st.columns(3)
    by = cols[0].text_input(t("col.actor", lang), max_chars=64, key="audit_user")
    action = cols[1].selectbox(t("col.action", lang), ["", *[a.value for a in Action]], key="audit_action",
                               format_func=lambda a: t(f"action.{a}", lang) if a else t("admin.any", lang))
    since = cols[2].date_input(t("admin.since", lang), value=None, key="audit_since", format="DD/MM/YYYY")
    start = vietnam_day_start(since) if since else None
    with store.connect() as conn:
        rows = audit_frame(conn, since=start, user=by.strip().lower() or None, action=action or None, limit=2000)
    shown = pd.DataFrame({
        "#": rows["id"],
        t("col.at", lang): [format_time(v) for v in rows["happened_at"]],
        t("col.actor", lang): rows["actor"],
        t("col.action", lang): [t(f"action.{a}", lang) for a in rows["action"]],
        t("col.audit_target", lang): rows["target"].fillna(""),
        t("col.detail", lang): rows["detail"].fillna(""),
    })
    st.dataframe(shown, hide_index=True, width="stretch")
    download_table(shown, "nhat-ky", lang)
