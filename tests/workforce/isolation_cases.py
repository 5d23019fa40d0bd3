"""Organisation-scoped workforce URLs for the isolation matrix (tests/test_isolation_matrix.py).

``workforce:home`` (the user's own import scope) and ``workforce:template`` (the same blank
templates for everyone) are not about an organisation; they are declared in tests/isolation.py.
"""

import io

from tests.isolation import ScopedURL
from workforce import services


def _run(org, make_user, **kwargs):
    """A stored preview run for a one-row spend file at ``org`` (or its first provider)."""
    provider = org if org.level == "provider" else org.subtree().filter(level="provider").first()
    data = f"provider_code,month,pay_bill,bank_spend,agency_spend\n{provider.code},2025-01,1,2,3\n"
    run = services.import_file(
        dataset="spend",
        fileobj=io.BytesIO(data.encode()),
        file_name="spend.csv",
        organisation=org,
        user=None,
        commit=False,
        store=True,
    )
    return {"code": org.code, "pk": run.pk}


CASES = [
    ScopedURL("workforce:imports", "data_manager", level="provider"),
    ScopedURL("workforce:imports", "data_manager", level="ics"),
    ScopedURL("workforce:imports", "data_manager", level="region"),
    ScopedURL("workforce:upload", "data_manager", level="provider"),
    ScopedURL("workforce:upload", "data_manager", level="place"),
    ScopedURL("workforce:run", "data_manager", level="provider", build=_run),
    ScopedURL("workforce:run", "data_manager", level="ics", build=_run),
    ScopedURL("workforce:run_errors_csv", "data_manager", level="provider", build=_run),
    ScopedURL("workforce:run_errors_csv", "data_manager", level="place", build=_run),
    # Confirming commits the preview; a second confirm is refused with a message (302 as well).
    ScopedURL(
        "workforce:run",
        "data_manager",
        level="provider",
        build=_run,
        method="post",
        ok_status=(302,),
    ),
]
