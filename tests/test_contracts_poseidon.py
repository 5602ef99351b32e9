"""On-chain Poseidon: circomlib constants laid out by contracts/solidity.py hash as verifier/poseidon does."""

import random
from collections.abc import Iterator

import pytest
from test_contracts_support import poseidon_artifacts

from zksolvency.contracts.anvil import Anvil
from zksolvency.contracts.chain import Chain, ContractReverted, deploy_poseidon
from zksolvency.contracts.solidity import (
    data_chunks,
    data_contract_initcode,
    poseidon_constants,
    poseidon_data,
)
from zksolvency.verifier.field import R
from zksolvency.verifier.poseidon import poseidon


@pytest.fixture(scope="module")
def evm() -> Iterator[Chain]:
    with Anvil() as node:
        yield node.chain(poseidon_artifacts())


def test_constants_have_circomlib_sizes() -> None:
    for t in range(2, 14):
        k = poseidon_constants(t)
        assert len(k.c) == 8 * t + k.partial_rounds and len(k.s) == k.partial_rounds * (2 * t - 1)
        assert all(0 <= w < R for w in k.words())


@pytest.mark.parametrize("inputs", range(1, 13))
def test_poseidon_contract_matches_circomlib(evm: Chain, inputs: int) -> None:
    sender = evm.w3.eth.accounts[0]
    hasher, _ = deploy_poseidon(evm, inputs, sender)
    assert hasher.functions.inputs().call() == inputs
    rng = random.Random(inputs)
    vectors = [[0] * inputs, [R - 1] * inputs, *([rng.randrange(R) for _ in range(inputs)] for _ in range(2))]
    for v in vectors:
        assert hasher.functions.hash(v).call() == poseidon(v)


def test_poseidon_refuses_bad_inputs(evm: Chain) -> None:
    sender = evm.w3.eth.accounts[0]
    hasher, _ = deploy_poseidon(evm, 2, sender)
    with pytest.raises(ContractReverted, match="Poseidon__WrongInputCount"):
        evm.send(hasher.functions.hash([1, 2, 3]), sender)
    with pytest.raises(ContractReverted, match="Poseidon__NotAFieldElement"):
        evm.send(hasher.functions.hash([1, R]), sender)


def test_poseidon_refuses_data_contracts_without_circomlib_constants(evm: Chain) -> None:
    sender = evm.w3.eth.accounts[0]
    payload = bytearray(data_chunks(poseidon_data(4))[0])
    payload[100] ^= 1
    address, _ = evm.deploy_code(data_contract_initcode(bytes(payload)), sender)
    with pytest.raises(ContractReverted, match="Poseidon__WrongConstants"):
        evm.deploy("Poseidon4", [address], sender=sender)
