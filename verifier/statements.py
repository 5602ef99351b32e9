"""The public statements of the two circuits: their public inputs, in circuit order."""

from dataclasses import dataclass


@dataclass(frozen=True)
class BatchStatement:
    """The public inputs of one batch proof, in the circuit's order."""

    params_hash: int
    batch_index: int
    prev_state: int
    next_state: int
    subtree_root: int

    @property
    def public_inputs(self) -> list[int]:
        """paramsHash, batchIndex, prevState, nextState, subtreeRoot."""
        return [self.params_hash, self.batch_index, self.prev_state, self.next_state, self.subtree_root]


@dataclass(frozen=True)
class MarginStatement:
    """The public inputs of an account margin proof, in the circuit's order."""

    root: int
    params_hash: int
    threshold: int
    binding: int
    scope: int
    nullifier: int

    @property
    def public_inputs(self) -> list[int]:
        """root, paramsHash, threshold, binding, scope, nullifier."""
        return [self.root, self.params_hash, self.threshold, self.binding, self.scope, self.nullifier]


def binding(recipient: int, chain_id: int) -> int:
    """recipient + 2^160 * chain_id: the proof's binding to who uses it and where."""
    if not 0 <= recipient < 2**160 or not 0 < chain_id < 2**64:
        raise ValueError("recipient must be a 160-bit address and chain_id a positive 64-bit integer")
    return recipient + (chain_id << 160)


def scope(gate: int, chain_id: int) -> int:
    """gate + 2^160 * chain_id: where a margin proof's nullifier is spent (the gate and its chain)."""
    if not 0 <= gate < 2**160 or not 0 < chain_id < 2**64:
        raise ValueError("the gate must be a 160-bit address and chain_id a positive 64-bit integer")
    return gate + (chain_id << 160)
