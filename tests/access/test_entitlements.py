"""Entitlements: union across groups, claims, the admin role and default deny."""

from __future__ import annotations

import pytest

from access.entitlements import (
    AccessSettings,
    Identity,
    identity_from_headers,
    parse_role_map,
    resolve,
)
from data_access.config import ConfigurationError
from data_access.filters import Grant, Scope

ROLE_MAP = parse_role_map(
    """
admins = ["Root@Example.com", "dash-admins"]
[groups.emea]
markets = ["DE", "FR"]
[groups.acme]
markets = ["US"]
vendors = ["acme"]
[users."bob@example.com"]
markets = ["SG"]
"""
)
SETTINGS = AccessSettings()


def test_a_user_in_two_groups_sees_the_union_and_never_the_cross_product():
    access = resolve(Identity("ann@example.com", groups=("emea", "acme")), ROLE_MAP, SETTINGS)
    assert access.scope == Scope.of([Grant(("DE", "FR")), Grant(("US",), ("acme",))])
    assert access.scope.allows("DE", "northwind")
    assert access.scope.allows("US", "acme")
    assert not access.scope.allows("US", "northwind")  # the cross product would allow it


def test_an_email_entry_and_a_groups_entry_add_up():
    access = resolve(Identity("BOB@example.com", groups=("emea",)), ROLE_MAP, SETTINGS)
    assert access.scope.markets() == ("DE", "FR", "SG")


def test_nobody_named_anywhere_has_no_access():
    access = resolve(Identity("eve@example.com", groups=("guests",)), ROLE_MAP, SETTINGS)
    assert not access.has_access and access.scope.is_nothing


@pytest.mark.parametrize(
    "identity",
    [
        Identity("root@example.com"),
        Identity("x@example.com", groups=("dash-admins",)),
        Identity("y@example.com", groups=("modqa-admin",)),
    ],
)
def test_admins_by_email_group_or_role_see_everything(identity):
    access = resolve(identity, ROLE_MAP, SETTINGS)
    assert access.is_admin and access.scope.is_everything


def test_a_markets_claim_grants_its_markets_and_a_star_grants_all():
    claimed = Identity("c@example.com", claimed_markets=("JP",), claimed_vendors=("lumen",))
    assert resolve(claimed, ROLE_MAP, SETTINGS).scope == Scope.of([Grant(("JP",), ("lumen",))])
    everything = Identity("d@example.com", claimed_markets=("*",))
    assert resolve(everything, ROLE_MAP, SETTINGS).scope.is_everything


def test_a_role_map_entry_without_markets_is_refused_with_its_name():
    with pytest.raises(ConfigurationError, match=r'groups\."qa"'):
        parse_role_map('[groups.qa]\nvendors = ["acme"]\n')


def test_a_trusted_proxy_header_names_the_user_and_their_groups():
    settings = AccessSettings(
        trusted_header="X-Forwarded-Email", trusted_groups_header="X-Forwarded-Groups"
    )
    headers = {"X-Forwarded-Email": " ann@example.com ", "X-Forwarded-Groups": "emea, acme"}
    identity = identity_from_headers(headers, settings)
    assert identity == Identity("ann@example.com", groups=("emea", "acme"))
    assert resolve(identity, ROLE_MAP, settings).scope.markets() == ("DE", "FR", "US")


def test_a_request_without_the_trusted_header_has_no_identity():
    settings = AccessSettings(trusted_header="X-Forwarded-Email")
    assert identity_from_headers({"Host": "dashboard"}, settings) is None
    assert identity_from_headers({"X-Forwarded-Email": "  "}, settings) is None
