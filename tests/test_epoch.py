"""A proved sample epoch passes the audit; every tampering is caught and named."""

import dataclasses
from collections.abc import Callable

import pytest
from conftest import Circuits

from zksolvency.prover.epoch import EpochKeys, SnapshotError, check_snapshot, prove_epoch
from zksolvency.prover.sample import sample_venue
from zksolvency.verifier.account import Account
from zksolvency.verifier.epoch import Epoch, verify_epoch
from zksolvency.verifier.groth16 import Proof

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


def changed_total(e: Epoch) -> Epoch:
    return dataclasses.replace(e, final_state=dataclasses.replace(e.final_state, debt=(1, 0, 0)))


def flipped_proof_byte(e: Epoch) -> Epoch:
    data = bytearray(e.batches[0].proof.to_bytes())
    data[40] ^= 1
    first = dataclasses.replace(e.batches[0], proof=Proof.from_bytes(bytes(data)))
    return dataclasses.replace(e, batches=(first, *e.batches[1:]))


def swapped_batches(e: Epoch) -> Epoch:
    return dataclasses.replace(e, batches=(e.batches[1], e.batches[0], *e.batches[2:]))


def dropped_batch(e: Epoch) -> Epoch:
    return dataclasses.replace(e, batches=e.batches[:1] + e.batches[2:])


def repeated_batch(e: Epoch) -> Epoch:
    return dataclasses.replace(e, batches=(e.batches[0], *e.batches))


def changed_price(e: Epoch) -> Epoch:
    usdt = dataclasses.replace(e.params.assets[0], price=99_000_000)
    return dataclasses.replace(e, params=dataclasses.replace(e.params, assets=(usdt, *e.params.assets[1:])))


def wrong_root(e: Epoch) -> Epoch:
    return dataclasses.replace(e, root=e.root + 1)


def short_reserves(e: Epoch) -> Epoch:
    return dataclasses.replace(e, reserves=(0, *e.reserves[1:]))


TAMPERING: dict[str, tuple[Callable[[Epoch], Epoch], str]] = {
    "changed total": (changed_total, "final state"),
    "flipped proof byte": (flipped_proof_byte, "batch 0 proof"),
    "two batches swapped": (swapped_batches, "batch 0 index"),
    "batch dropped": (dropped_batch, "batch 1 index"),
    "batch repeated": (repeated_batch, "batch 1 index"),
    "price changed": (changed_price, "parameter hash"),
    "root mismatch": (wrong_root, "account root"),
    "reserves short": (short_reserves, "reserves USDT"),
}


@pytest.mark.parametrize("name", TAMPERING)
def test_tampered_epoch_is_rejected_with_the_right_check(proved: tuple[Epoch, list], name: str) -> None:
    change, check = TAMPERING[name]
    audit = verify_epoch(change(proved[0]))
    assert not audit.valid
    assert audit.failure is not None and audit.failure.startswith(check + ":"), audit.failure


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
