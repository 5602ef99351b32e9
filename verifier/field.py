"""BN254 constants and the fixed-point scales of the statement (docs/statement.md, "Units")."""

from typing import Final

#: Order of the BN254 scalar field: circuit signals live in Z_R.
R: Final = 21888242871839275222246405745257275088548364400416034343698204186575808495617
#: Order of the BN254 base field: curve coordinates live in F_Q.
Q: Final = 21888242871839275222246405745257275088696311157297823662689037894645226208583

#: Quanta per whole unit of an asset or of a perpetual's base asset.
QUANTA_PER_UNIT: Final = 10**8
#: Prices and marks are USD per whole unit times PRICE_SCALE.
PRICE_SCALE: Final = 10**8
#: Collateral rates and maintenance-margin rates are parts per million.
PPM: Final = 10**6
#: quanta * price is USD * VALUE_SCALE.
VALUE_SCALE: Final = QUANTA_PER_UNIT * PRICE_SCALE
#: Requirement scale: value * ppm, USD * 1e22. Every margin inequality is compared at this scale.
WEIGHTED_SCALE: Final = VALUE_SCALE * PPM

#: Balances, debts, sizes, prices and marks are below 2^AMOUNT_BITS in magnitude.
AMOUNT_BITS: Final = 64
#: Tier floors and the top sentinel of every tier table.
FLOOR_SENTINEL: Final = 2**AMOUNT_BITS
#: Key ids are below 2^ACCOUNT_ID_BITS, subaccounts below 2^SUBACCOUNT_BITS.
ACCOUNT_ID_BITS: Final = 48
SUBACCOUNT_BITS: Final = 16
#: A portfolio-margined account's key id carries this bit (bit 47), so the regime is part of the key and
#: every portfolio account sorts after every standard one; the id a venue writes is below it.
PORTFOLIO_FLAG: Final = 2 ** (ACCOUNT_ID_BITS - 1)
#: Width of the sign tests on haircut equity and free collateral (circuits: CLASS_BITS): an account is
#: provable while |equity|, |free| < 2^128 USD * 1e22 (about 3.4e16 USD). Every such value is below 2^157 in
#: magnitude by the range checks on its inputs, far from r / 2, so the narrower test stays sound: only a
#: genuinely non-negative x lies in [0, 2^128), only a genuinely negative one has -x - 1 there.
CLASS_BITS: Final = 128
#: Option margin per unit of underlying is USD * 1e14 (price * ppm): a short's quanta times it is USD * 1e22.
UNIT_MARGIN_SCALE: Final = PRICE_SCALE * PPM
#: Multiplier from a threshold in USD * PRICE_SCALE to the weighted scale.
THRESHOLD_TO_WEIGHTED: Final = WEIGHTED_SCALE // PRICE_SCALE
#: Poseidon domain tag of the nullifier: the ASCII bytes of "zksolvency/nullifier".
NULLIFIER_DOMAIN: Final = int.from_bytes(b"zksolvency/nullifier", "big")
#: Hash domains (docs/statement.md, "Hashing"): the ASCII bytes of "zksolvency/<kind>". A tree node hashes
#: NODE_DOMAIN before its four children, a chain state and the labels of the parameters start with theirs,
#: and a leaf's first element is key + 2^64 * LEAF_DOMAIN.
LEAF_DOMAIN: Final = int.from_bytes(b"zksolvency/leaf", "big")
NODE_DOMAIN: Final = int.from_bytes(b"zksolvency/node", "big")
STATE_DOMAIN: Final = int.from_bytes(b"zksolvency/state", "big")
PARAMS_DOMAIN: Final = int.from_bytes(b"zksolvency/params", "big")
#: Domain of the initial-margin vector, whose hash is the second element of the parameter vector.
INITIAL_DOMAIN: Final = int.from_bytes(b"zksolvency/initial", "big")
#: Domain of the risk vector (the portfolio scenario grid's risk arrays), the third parameter element.
RISK_DOMAIN: Final = int.from_bytes(b"zksolvency/risk", "big")
#: Width of the scenario-loss comparisons of portfolio margin (circuits: SCENARIO_BITS): provable while
#: every difference between the worst loss and another is below 2^100 USD * 1e16 (about 1.3e14 USD); every
#: loss is below 2^138 in magnitude, so the test is sound as CLASS_BITS is.
SCENARIO_BITS: Final = 100
#: A trader's holder commitment is HashVector(HOLDER_DOMAIN, secret) (docs/statement.md, "Holder commitment").
HOLDER_DOMAIN: Final = int.from_bytes(b"zksolvency/holder", "big")
