"""Sign in (or, once signed in, who you are and sign out)."""

from __future__ import annotations

import streamlit as st

from kpi.i18n import t
from ui import signin
from ui.frame import current

ctx = current()
if ctx.actor.signed_in:
    st.title(t("signin.title", ctx.lang))
    st.text(t("signin.as", ctx.lang, name=ctx.actor.display_name or ctx.actor.name))
else:
    signin.signin_form(ctx.store, ctx.lang)
