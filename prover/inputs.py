"""Circuit inputs: from accounts, salts, parameters and the chain state to the signals of each circuit."""

from collections.abc import Sequence

from zksolvency.verifier.account import Account
from zksolvency.verifier.field import SUBACCOUNT_BITS
from zksolvency.verifier.leaf import leaf_hash, nullifier, sealed_salt
from zksolvency.verifier.margin import AccountHealth, evaluate
from zksolvency.verifier.params import CircuitParams
from zksolvency.verifier.state import ChainState
from zksolvency.verifier.statements import BatchStatement, MarginStatement, binding, scope
from zksolvency.verifier.tree import MerklePath, root_of

Signals = dict[str, object]


def _one_hot(index: int, size: int) -> list[int]:
    return [int(i == index) for i in range(size)]


def _holding_signals(account: Account, params: CircuitParams, health: AccountHealth) -> Signals:
    profile = params.profile
    balances, positions, options = account.padded(profile)
    return {
        "balanceSign": [int(v < 0) for v in balances],
        "balanceMagnitude": [abs(v) for v in balances],
        "positionSign": [int(s < 0) for s in positions],
        "positionMagnitude": [abs(s) for s in positions],
        "optionSign": [int(q < 0) for q in options],
        "optionMagnitude": [abs(q) for q in options],
        "tierSel": [_one_hot(j, profile.tiers) for j in health.tiers[1:]],
    }


def _account_signals(account: Account, params: CircuitParams, health: AccountHealth) -> Signals:
    brackets = [_one_hot(k, params.profile.brackets) for k in health.brackets]
    return _holding_signals(account, params, health) | {"bracketSel": brackets}


def _portfolio_signals(account: Account, params: CircuitParams, health: AccountHealth) -> Signals:
    scenarios = params.profile.scenarios
    grid = health.scenario
    worst = scenarios if grid is None or grid.losses[grid.worst] <= 0 else grid.worst
    return _holding_signals(account, params, health) | {
        "group": health.group,
        "worst": _one_hot(worst, scenarios + 1),
        "healthy": int(health.free >= 0),
    }


def _class_signals(health: AccountHealth) -> Signals:
    return {"healthy": int(health.free >= 0), "solvent": int(health.equity >= 0)}


def _state_signals(prefix: str, state: ChainState, params: CircuitParams) -> Signals:
    markets = params.profile.markets
    return {
        f"{prefix}Equity": list(state.equity),
        f"{prefix}Debt": list(state.debt),
        f"{prefix}Long": list(state.long),
        f"{prefix}Short": list(state.short),
        f"{prefix}Classes": list(state.classes),
        f"{prefix}LastId": state.last_key >> SUBACCOUNT_BITS,
        f"{prefix}LastSub": state.last_key & (2**SUBACCOUNT_BITS - 1),
        f"{prefix}Held": [(state.held >> m) & 1 for m in range(markets)],
    }


def batch_signals(
    accounts: Sequence[Account],
    salts: Sequence[int],
    state: ChainState,
    params: CircuitParams,
    blind: int,
    portfolio: bool = False,
) -> tuple[Signals, BatchStatement, ChainState]:
    """Signals of the batch circuit (the portfolio batch circuit if `portfolio`) for one full batch, its
    statement, and the state after it.

    `blind` is a fresh random field element that hides the state after the batch.
    """
    profile = params.profile
    if len(accounts) != profile.batch_size or len(salts) != profile.batch_size:
        raise ValueError(f"a batch of profile {profile.name} holds exactly {profile.batch_size} accounts")
    if any(a.portfolio != portfolio for a in accounts if not a.is_padding):
        raise ValueError(f"a {'portfolio' if portfolio else 'standard'} batch holds only such accounts")
    after = state.after(accounts, params, blind)
    leaves = [leaf_hash(a, s, profile) for a, s in zip(accounts, salts, strict=True)]
    statement = BatchStatement(
        params.hash, state.batches, state.hash, after.hash, root_of(leaves, profile.batch_levels)
    )
    healths = [evaluate(a, params) for a in accounts]
    if portfolio:
        per_account = [_portfolio_signals(a, params, h) for a, h in zip(accounts, healths, strict=True)]
    else:
        per_account = [
            _account_signals(a, params, h) | _class_signals(h) for a, h in zip(accounts, healths, strict=True)
        ]
    new_account, last_id = [], state.last_key >> SUBACCOUNT_BITS
    for account in accounts:
        new_account.append(int(not account.is_padding and account.key_id != last_id))
        last_id = last_id if account.is_padding else account.key_id
    signals: Signals = {
        "paramsHash": statement.params_hash,
        "batchIndex": statement.batch_index,
        "prevState": statement.prev_state,
        "nextState": statement.next_state,
        "subtreeRoot": statement.subtree_root,
        "params": list(params.vector),
        **_state_signals("prev", state, params),
        "prevBlind": state.blind,
        "nextBlind": blind,
        "accountId": [a.key_id for a in accounts],
        "newAccount": new_account,
        "salt": [sealed_salt(s, a.holder) for a, s in zip(accounts, salts, strict=True)],
    }
    if portfolio:
        signals["risk"] = list(params.risk_vector)
    else:
        signals["subaccount"] = [a.subaccount for a in accounts]
    for name in per_account[0]:
        signals[name] = [s[name] for s in per_account]
    return signals, statement, after


def margin_signals(
    account: Account,
    salt: int,
    path: MerklePath,
    params: CircuitParams,
    threshold: int,
    recipient: int,
    chain_id: int,
    secret: int,
    gate: int,
) -> tuple[Signals, MarginStatement]:
    """Signals of the account margin circuit: `account` under path's root has haircut equity minus initial
    margin >= threshold.

    threshold is in USD * 1e8; the circuit compares it at USD * 1e22. `secret` is the trader's holder
    secret; `gate` the contract on `chain_id` that spends the nullifier (the scope).
    """
    profile = params.profile
    leaf = leaf_hash(account, salt, profile)
    where = scope(gate, chain_id)
    statement = MarginStatement(
        path.root(leaf),
        params.hash,
        threshold,
        binding(recipient, chain_id),
        where,
        nullifier(account, salt, secret, where),
    )
    signals: Signals = {
        "root": statement.root,
        "paramsHash": statement.params_hash,
        "threshold": threshold,
        "binding": statement.binding,
        "scope": statement.scope,
        "nullifier": statement.nullifier,
        "params": list(params.vector),
        "initialParams": list(params.initial_vector),
        "key": account.key,
        "salt": salt,
        "holder": account.holder,
        "secret": secret,
        **_account_signals(account, params, evaluate(account, params)),
        "siblings": [list(s) for s in path.siblings],
        "positionBits": [[p & 1, p >> 1] for p in path.positions()],
    }
    return signals, statement
