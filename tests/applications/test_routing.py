"""Who receives a request: route_inquiry over every combination of a small pool of bureaus.

The pool covers each kind of address a bureau can have. Every subset of it (the empty
one included), with and without "other duties", is routed, and the invariants are
checked against an expectation computed here, independently of the rule.
"""

import itertools
from collections import Counter

import pytest

from applications.routing import BureauAddress, route_inquiry

CENTRAL = "jinji-kouryu@kouryu.metro.tokyo.example"

POOL = {
    "own": BureauAddress(1, "environment@kouryu.metro.tokyo.example"),
    "other": BureauAddress(2, "housing@kouryu.metro.tokyo.example"),
    # Two bureaus reading one mailbox, written differently.
    "shared": BureauAddress(3, "soumu@kouryu.metro.tokyo.example"),
    "shared-again": BureauAddress(4, " Soumu@Kouryu.Metro.Tokyo.Example "),
    "blank": BureauAddress(5, ""),
    # The central window's own address, in another case and with spaces around it.
    "central-alias": BureauAddress(6, "  JINJI-Kouryu@kouryu.metro.tokyo.EXAMPLE "),
}

SUBSETS = [names for size in range(len(POOL) + 1) for names in itertools.combinations(POOL, size)]
COMBINATIONS = list(itertools.product(SUBSETS, [False, True]))


def key(address):
    return address.strip().lower()


def expected_address(bureau):
    """The address a bureau's part of the request must go to, by the rule's definition."""
    own = key(bureau.email)
    return own if own and own != key(CENTRAL) else key(CENTRAL)


def route_of(routes, bureau_id):
    [route] = [route for route in routes if bureau_id in route.bureau_ids]
    return route


def combination_id(combination):
    names, wants_other_duties = combination
    return f"{'+'.join(names) or 'none'}-{'other' if wants_other_duties else 'listed'}"


@pytest.mark.parametrize("combination", COMBINATIONS, ids=combination_id)
def test_every_combination_routes_each_bureau_once_with_one_central_copy(combination):
    names, wants_other_duties = combination
    bureaus = [POOL[name] for name in names]

    routes = route_inquiry(
        bureaus=bureaus, wants_other_duties=wants_other_duties, central_email=CENTRAL
    )

    central = [route for route in routes if route.is_central]
    assert len(central) == 1
    assert central[0].recipient == CENTRAL
    assert central[0].covers_other_duties is wants_other_duties
    assert all(not route.covers_other_duties for route in routes if not route.is_central)

    covered = Counter(bureau_id for route in routes for bureau_id in route.bureau_ids)
    assert covered == Counter(bureau.bureau_id for bureau in bureaus)

    addresses = [key(route.recipient) for route in routes]
    assert len(addresses) == len(set(addresses)), addresses
    assert all(route.recipient == route.recipient.strip() for route in routes)

    for bureau in bureaus:
        route = route_of(routes, bureau.bureau_id)
        assert key(route.recipient) == expected_address(bureau)
        assert route.is_central is (expected_address(bureau) == key(CENTRAL))

    # No mail to a bureau address that no chosen bureau answers for.
    bureau_addresses = {expected_address(bureau) for bureau in bureaus} - {key(CENTRAL)}
    assert len(routes) == len(bureau_addresses) + 1
    assert all(route.bureau_ids for route in routes if not route.is_central)


@pytest.mark.parametrize("combination", COMBINATIONS, ids=combination_id)
def test_a_bureau_passed_twice_is_routed_once(combination):
    names, wants_other_duties = combination
    bureaus = [POOL[name] for name in names]

    once = route_inquiry(
        bureaus=bureaus, wants_other_duties=wants_other_duties, central_email=CENTRAL
    )
    twice = route_inquiry(
        bureaus=bureaus + bureaus[::-1],
        wants_other_duties=wants_other_duties,
        central_email=CENTRAL,
    )

    assert twice == once


def test_no_bureau_at_all_still_sends_the_central_copy():
    for wants_other_duties in (False, True):
        [route] = route_inquiry(
            bureaus=[], wants_other_duties=wants_other_duties, central_email=CENTRAL
        )
        assert route.recipient == CENTRAL
        assert route.bureau_ids == ()
        assert route.is_central
        assert route.covers_other_duties is wants_other_duties


def test_bureaus_sharing_an_address_share_one_mail_at_the_first_spelling():
    routes = route_inquiry(
        bureaus=[POOL["shared-again"], POOL["shared"]],
        wants_other_duties=False,
        central_email=CENTRAL,
    )

    assert [(route.recipient, route.bureau_ids) for route in routes] == [
        ("Soumu@Kouryu.Metro.Tokyo.Example", (4, 3)),
        (CENTRAL, ()),
    ]


def test_a_blank_or_central_address_is_folded_into_the_central_copy():
    routes = route_inquiry(
        bureaus=[POOL["central-alias"], POOL["own"], POOL["blank"]],
        wants_other_duties=True,
        central_email=f"  {CENTRAL}  ",
    )

    assert [
        (route.recipient, route.bureau_ids, route.is_central, route.covers_other_duties)
        for route in routes
    ] == [
        ("environment@kouryu.metro.tokyo.example", (1,), False, False),
        (CENTRAL, (6, 5), True, True),
    ]


def test_routes_follow_the_order_bureaus_were_chosen_in_with_the_central_copy_last():
    for order in itertools.permutations(POOL.values()):
        routes = route_inquiry(bureaus=list(order), wants_other_duties=False, central_email=CENTRAL)

        assert routes[-1].is_central
        assert not any(route.is_central for route in routes[:-1])
        first_seen = list(
            dict.fromkeys(
                expected_address(bureau)
                for bureau in order
                if expected_address(bureau) != key(CENTRAL)
            )
        )
        assert [key(route.recipient) for route in routes[:-1]] == first_seen
        for route in routes:
            chosen = [bureau.bureau_id for bureau in order if bureau.bureau_id in route.bureau_ids]
            assert list(route.bureau_ids) == chosen
