"""Keystone login: user, password and project for a project-scoped token."""

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import generic


class LoginFailed(Exception):
    """Keystone refused the credentials, or could not be reached."""

    def __init__(self, refused: bool) -> None:
        super().__init__("refused" if refused else "unreachable")
        self.refused = refused


def token(auth_url: str, user: str, password: str, project: str,
          domain: str = "Default") -> str:
    """Ask Keystone at ``auth_url`` for a token; raise LoginFailed."""
    auth = generic.Password(
        auth_url=auth_url, username=user, password=password,
        project_name=project, user_domain_name=domain,
        project_domain_name=domain)
    try:
        found = ks_session.Session(auth=auth, timeout=10).get_token()
    except ks_exc.Unauthorized:
        raise LoginFailed(refused=True) from None
    except ks_exc.ClientException:
        raise LoginFailed(refused=False) from None
    if not found:
        raise LoginFailed(refused=True)
    return str(found)
