"""Shared fixtures: the CI profile's circuits, compiled and set up once per test session."""

from dataclasses import dataclass

import pytest

from zksolvency.prover.circuits import build
from zksolvency.prover.epoch import EpochKeys
from zksolvency.prover.inputs import Signals
from zksolvency.prover.keys import CircuitKeys, development_keys
from zksolvency.prover.proving import Prover
from zksolvency.prover.witness import WitnessError
from zksolvency.verifier.profiles import PROFILES, Profile


@dataclass
class Circuits:
    """A profile's three circuits with development keys and provers."""

    profile: Profile
    batch: CircuitKeys
    margin: CircuitKeys
    portfolio: CircuitKeys
    batch_prover: Prover
    margin_prover: Prover
    portfolio_prover: Prover

    @property
    def keys(self) -> EpochKeys:
        """The three circuits' keys, as prove_epoch takes them."""
        return EpochKeys(self.batch, self.margin, self.portfolio)


@pytest.fixture(scope="session")
def ci() -> Circuits:
    """The `ci` profile: compiled with --O2 --inspect (warnings fail the build), UNSAFE dev keys."""
    profile = PROFILES["ci"]
    batch = development_keys(build("batch", profile))
    margin = development_keys(build("margin", profile))
    portfolio = development_keys(build("portfolio_batch", profile))
    return Circuits(profile, batch, margin, portfolio, Prover(batch), Prover(margin), Prover(portfolio))


def rejected(prover: Prover, signals: Signals, check: str) -> None:
    """The witness generator refuses `signals`, in a component of template `check`."""
    with pytest.raises(WitnessError, match=rf"Error in template {check}_\d+ "):
        prover.witness(signals)
