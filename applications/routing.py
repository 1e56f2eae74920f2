"""Who receives a pre-consultation request: a pure rule, no database, no mail."""

from dataclasses import dataclass


@dataclass(frozen=True)
class BureauAddress:
    """A chosen bureau and the address its contact section reads (may be blank)."""

    bureau_id: int
    email: str


@dataclass(frozen=True)
class Route:
    """One mail to one address, and what it carries.

    ``bureau_ids`` are the chosen bureaus this address answers for. The central
    window's route is always present: it is the copy of every request, and it also
    answers for bureaus without an address and for "other duties".
    """

    recipient: str
    bureau_ids: tuple[int, ...]
    is_central: bool
    covers_other_duties: bool


def route_inquiry(*, bureaus, wants_other_duties, central_email):
    """Decide the mails that route one request.

    Each chosen bureau with an address gets one mail at that address (bureaus that
    share an address share the mail). The central HR window gets exactly one mail:
    the copy, also covering every bureau without an address (its contact section
    is reached through HR) and any "other duties" proposal. Addresses compare
    case-insensitively, so a bureau whose address is the central one is folded into
    the central mail rather than sent twice.
    """
    central_key = central_email.strip().lower()
    by_address = {}
    central_bureaus = []
    for bureau in bureaus:
        key = bureau.email.strip().lower()
        if not key or key == central_key:
            if bureau.bureau_id not in central_bureaus:
                central_bureaus.append(bureau.bureau_id)
            continue
        address, ids = by_address.setdefault(key, (bureau.email.strip(), []))
        if bureau.bureau_id not in ids:
            ids.append(bureau.bureau_id)

    routes = [
        Route(recipient=address, bureau_ids=tuple(ids), is_central=False, covers_other_duties=False)
        for address, ids in by_address.values()
    ]
    routes.append(
        Route(
            recipient=central_email.strip(),
            bureau_ids=tuple(central_bureaus),
            is_central=True,
            covers_other_duties=wants_other_duties,
        )
    )
    return routes
