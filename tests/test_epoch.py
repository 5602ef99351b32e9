"""A proved sample epoch passes the audit (tampering: tests/test_verify_cli.py); bad snapshots stop early."""

import dataclasses

import pytest
from conftest import Circuits

from zksolvency.prover.epoch import EpochKeys, SnapshotError, check_snapshot, prove_epoch
from zksolvency.prover.sample import sample_venue
from zksolvency.verifier.account import Account
from zksolvency.verifier.epoch import Epoch, verify_epoch

SECRET = 987654321


@pytest.fixture(scope="module")
def proved(ci: Circuits) -> tuple[Epoch, list]:
    venue = sample_venue(14, seed=3, profile=ci.profile)
    return prove_epoch(
        venue.params, venue.accounts, venue.reserves, ci.profile, EpochKeys(ci.batch, ci.margin), 7, SECRET
    )


def test_sample_epoch_is_valid_and_records_lead_to_the_root(ci: Circuits, proved: tuple[Epoch, list]) -> None:
    epoch, records = proved
    audit = verify_epoch(epoch)
    assert audit.valid, audit.failure
    assert len(epoch.batches) >= 4 and all(c.covered for c in audit.coverage)
    assert all(r.root(ci.profile) == epoch.root for r in records)


def test_unhealthy_accounts_are_all_named_before_proving(ci: Circuits) -> None:
    venue = sample_venue(6, seed=3, profile=ci.profile)
    broken = [*venue.accounts]
    broken[1] = dataclasses.replace(broken[1], balances=(-(10**15), *broken[1].balances[1:]))
    broken[3] = dataclasses.replace(broken[3], balances=(-(10**15), *broken[3].balances[1:]))
    with pytest.raises(SnapshotError, match="2 accounts break the margin rules") as error:
        check_snapshot(venue.params, broken, ci.profile)
    assert broken[1].label in str(error.value) and broken[3].label in str(error.value)


def test_duplicate_accounts_are_refused_before_proving(ci: Circuits) -> None:
    venue = sample_venue(6, seed=3, profile=ci.profile)
    with pytest.raises(SnapshotError, match="unique and sorted"):
        check_snapshot(venue.params, [venue.accounts[0], venue.accounts[0]], ci.profile)
    with pytest.raises(SnapshotError, match="reserved for padding"):
        check_snapshot(venue.params, [Account.padding(ci.profile)], ci.profile)
