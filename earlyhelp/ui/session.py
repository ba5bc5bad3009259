"""Who is using the app: the role in use (from the sign-in token or the roles file, the
board role in demo mode), its description and its protective marking."""

from __future__ import annotations

import streamlit as st

from earlyhelp.core import config
from earlyhelp.core.errors import QueryError
from earlyhelp.query.roles import Role

#: The role every page uses when no sign-in is configured (demo mode).
DEMO_ROLE = "board"
ROLE_DESCRIPTIONS = {
    "board": "board view",
    "district": "district view",
    "manager": "manager view",
    "analyst": "analyst view",
}


#: Precedence when a user holds several roles: the widest view wins (a manager of one district
#: comes after a whole-service manager and before the board; see _breadth).
_ROLE_ORDER = ("analyst", "manager", "board", "district")
#: Prefix of the app roles defined for Early Help Insight in the identity provider.
CLAIM_PREFIX = "earlyhelp."
MARKINGS = {
    True: "OFFICIAL-SENSITIVE",  # exact counts, worker names: not for publication
    False: "OFFICIAL",  # protected figures: small numbers withheld, counts rounded
}


def login_configured() -> bool:
    """True when `.streamlit/secrets.toml` has an [auth] section (the council's OIDC provider)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: demo mode
        return False


def _breadth(role: Role) -> tuple:
    """Sort key, widest view first: analyst, manager, manager:<district>, board, district."""
    return (_ROLE_ORDER.index(role.kind), role.district is not None, role.district or "")


def role_from_claims(user: dict, roles_file: dict[str, str] | None = None) -> Role | None:
    """The role for a signed-in user: from the identity token's `roles` claim (app roles such
    as `EarlyHelp.District.North` or `EarlyHelp.Manager.North`), else from the roles file by
    e-mail (`district:North`, `manager:North`, ...); None if neither says. A claim or entry that
    is not a role (an unknown kind, a district on a role that takes none, an empty or hostile
    district name) is ignored, never widened to another role.

    Never from anything the browser sends (URL, widget state): the token and the server's file
    are the only sources."""
    found: list[Role] = []
    claims = user.get("roles") or []
    for claim in [claims] if isinstance(claims, str) else claims:
        text = str(claim).strip()
        if not text.lower().startswith(CLAIM_PREFIX):
            continue
        kind, scoped, district = text[len(CLAIM_PREFIX) :].partition(".")
        try:
            found.append(Role.parse(f"{kind}:{district}" if scoped else kind))
        except QueryError:
            continue
    email = str(user.get("email") or "").strip().lower()
    if not found and roles_file and email in roles_file:
        try:
            found.append(Role.parse(roles_file[email]))
        except QueryError:
            return None
    if not found:
        return None
    return min(found, key=_breadth)


def _roles_file() -> dict[str, str]:
    path = config.roles_file()
    if not path.exists():
        return {}
    import tomllib

    users = tomllib.loads(path.read_text()).get("users", {})
    return {str(email).strip().lower(): str(role) for email, role in users.items()}


def current_role() -> Role:
    """The signed-in user's role; the board role in demo mode (no login configured)."""
    if not login_configured():
        return Role.parse(DEMO_ROLE)
    if not st.user.is_logged_in:
        raise QueryError("not signed in")
    role = role_from_claims(st.user.to_dict(), _roles_file())
    if role is None:
        raise QueryError("no role")
    return role


def require_role() -> Role:
    """The role, or a sign-in page (or a 'no access' message) and the end of this run."""
    if not login_configured():
        return Role.parse(DEMO_ROLE)
    if not st.user.is_logged_in:
        st.title("Early Help Insight")
        st.markdown(
            "Sign in with your council account to see the early help partnership's figures."
        )
        st.button("Sign in", on_click=st.login, type="primary")
        st.stop()
    role = role_from_claims(st.user.to_dict(), _roles_file())
    if role is None:
        st.title("Early Help Insight")
        st.error(
            "Your account has no role in Early Help Insight yet. Ask the performance team to "
            "give you one (board, district, manager, a district's manager or analyst)."
        )
        st.button("Sign out", on_click=st.logout)
        st.stop()
    return role


def role_label(role: Role | None = None) -> str:
    role = role or current_role()
    text = ROLE_DESCRIPTIONS[role.kind]
    return f"{text} ({role.district})" if role.district else text


def marking(role: Role | None = None) -> str:
    """OFFICIAL-SENSITIVE for any view with exact figures (a manager of one district too)."""
    role = role or current_role()
    return MARKINGS[role.exact_counts]


def protection_note(role: Role | None = None) -> str:
    """What the role's figures are, in words, for the marking and the About page."""
    role = role or current_role()
    if role.exact_everywhere:
        return "exact figures: do not publish or share outside the partnership"
    if role.exact_counts:
        return (
            f"exact figures for {role.district} (its workers by name); the whole borough with "
            "small numbers withheld and counts rounded. Do not publish or share outside the "
            "partnership"
        )
    return "small numbers withheld and counts rounded, so these figures can be shared"
