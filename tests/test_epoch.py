"""A proved sample epoch passes the audit (tampering: tests/test_verify_cli.py); bad snapshots stop early."""

import dataclasses

import pytest
from conftest import Circuits

from zksolvency.prover.epoch import SnapshotError, check_snapshot, prove_epoch
from zksolvency.prover.sample import CRASH, sample_venue
from zksolvency.prover.snapshot import Snapshot
from zksolvency.verifier.account import Account
from zksolvency.verifier.epoch import Epoch, verify_epoch
from zksolvency.verifier.field import CLASS_BITS
from zksolvency.verifier.margin import evaluate
from zksolvency.verifier.params import EpochParams

SECRET = 987654321


def prove(ci: Circuits, venue: Snapshot, epoch_id: int, workers: int = 1) -> tuple[Epoch, list]:
    """The venue's epoch under the ci keys."""
    return prove_epoch(
        venue.params, venue.accounts, venue.reserves, ci.profile, ci.keys, epoch_id, SECRET, workers
    )


@pytest.fixture(scope="module")
def proved(ci: Circuits) -> tuple[Epoch, list]:
    """Both batch kinds, proven on two processes (one pool per kind, at once)."""
    return prove(ci, sample_venue(14, seed=3, profile=ci.profile), 7, workers=2)


def test_sample_epoch_is_valid_and_records_lead_to_the_root(ci: Circuits, proved: tuple[Epoch, list]) -> None:
    epoch, records = proved
    audit = verify_epoch(epoch)
    assert audit.valid, audit.failure
    assert len(epoch.batches) >= 4 and all(c.covered for c in audit.coverage)
    assert {b.portfolio for b in epoch.batches} == {False, True}
    assert all(r.root(ci.profile) == epoch.root for r in records)


@pytest.fixture(scope="module")
def stressed(ci: Circuits) -> tuple[EpochParams, list[Account], Epoch]:
    """A crash-day sample book: liquidatable and bankrupt accounts beside healthy ones."""
    venue = sample_venue(16, seed=4, profile=ci.profile, stress=CRASH)
    epoch, _ = prove(ci, venue, 8)
    return venue.params, venue.accounts, epoch


def test_a_stressed_book_is_proven_as_it_is(ci: Circuits, stressed: tuple) -> None:
    params, accounts, epoch = stressed
    audit = verify_epoch(epoch)
    assert audit.valid, audit.failure
    figures = [evaluate(a, params.circuit(ci.profile)) for a in accounts]
    classes = [f.margin_class for f in figures]
    padding = len(epoch.batches) * ci.profile.batch_size - len(accounts)
    book = audit.book
    assert book is not None and book.liquidatable > 0 and book.bankrupt > 0
    assert (book.healthy, book.liquidatable, book.bankrupt) == (
        classes.count("healthy") + padding,
        classes.count("liquidatable"),
        classes.count("bankrupt"),
    )
    assert book.shortfall == sum(f.shortfall for f in figures)
    assert book.bad_debt == sum(f.bad_debt for f in figures) <= book.insurance


def test_bad_debt_beyond_the_insurance_fund_fails_the_audit(ci: Circuits, stressed: tuple) -> None:
    params, accounts, _ = stressed
    uninsured = dataclasses.replace(
        params, assets=(dataclasses.replace(params.assets[0], insurance=1), *params.assets[1:])
    )
    epoch, _ = prove_epoch(
        uninsured, accounts, (10**18,) * len(params.assets), ci.profile, ci.keys, 9, SECRET
    )
    audit = verify_epoch(epoch)
    assert audit.failed_check == "insurance fund"
    assert "does not cover the proven bad debt" in (audit.failure or "")
    # Declaring a bigger fund after proving changes the parameter hash: the audit refuses it.
    insured = dataclasses.replace(epoch, params=params)
    assert verify_epoch(insured).failed_check == "parameter hash"


def test_duplicate_accounts_are_refused_before_proving(ci: Circuits) -> None:
    venue = sample_venue(6, seed=3, profile=ci.profile)
    with pytest.raises(SnapshotError, match="unique and sorted"):
        check_snapshot(venue.params, [venue.accounts[0], venue.accounts[0]], ci.profile)
    with pytest.raises(SnapshotError, match="reserved for padding"):
        check_snapshot(venue.params, [Account.padding(ci.profile)], ci.profile)


def test_an_account_beyond_the_class_bound_is_refused_before_proving(ci: Circuits) -> None:
    """The sign tests are 128 bits wide: an account worth 2^128 USD * 1e22 or more has no witness, so the
    prover refuses it first (an asset priced near 2^64 USD * 1e8 with a balance near 2^64 quanta)."""
    venue = sample_venue(6, seed=3, profile=ci.profile)
    btc = dataclasses.replace(venue.params.assets[1], price=2**63)  # (its options' marks: out of bounds)
    assets = (venue.params.assets[0], btc, *venue.params.assets[2:])
    markets = (dataclasses.replace(venue.params.markets[0], mark=2**63), *venue.params.markets[1:])  # on BTC
    params = dataclasses.replace(venue.params, assets=assets, markets=markets, options=())
    whale = dataclasses.replace(venue.accounts[0], balances=(0, 2**63, 0), options=())
    assert evaluate(whale, params.circuit(ci.profile)).equity >= 2**CLASS_BITS
    with pytest.raises(SnapshotError, match=r"beyond what the circuits classify: .* below 2\^128"):
        check_snapshot(params, [whale], ci.profile)
