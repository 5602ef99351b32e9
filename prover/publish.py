"""Writing an epoch to disk, atomically: nothing that looks complete exists until everything is written.

EPOCH/
  public/epoch.json            the public epoch (zksolvency-epoch/1)
  public/margin/               what a trader needs to prove their margin: margin.wasm, proving_key.bin,
                               verification_key.json, setup.json
  private/records.jsonl        one inclusion record per account (zksolvency-record/1), for the venue
                               to hand to each trader; never published
  private/at-risk.jsonl        the venue's own list of liquidatable and bankrupt accounts, with their
                               maintenance margin, haircut equity, shortfall and bad debt; never published
The folder is built under a temporary name beside EPOCH and renamed into place at the end.
"""

import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from zksolvency.verifier.epoch import Epoch
from zksolvency.verifier.formats import MARGIN_KIT, PUBLIC_EPOCH, RECORDS, epoch_to_json, record_to_json
from zksolvency.verifier.margin import HEALTHY, AccountHealth, evaluate
from zksolvency.verifier.records import InclusionRecord
from zksolvency.verifier.vocabulary import usd_decimal

from .keys import CircuitKeys

#: The venue's private list of accounts below maintenance margin.
AT_RISK = RECORDS.parent / "at-risk.jsonl"


def at_risk_json(record: InclusionRecord, health: AccountHealth) -> dict[str, object]:
    """One line of the at-risk list: who, which class, and the figures in USD."""
    return {
        "account_id": record.account.account_id,
        "subaccount": record.account.subaccount,
        "margin_class": health.margin_class,
        "haircut_equity_usd": usd_decimal(health.equity),
        "maintenance_margin_usd": usd_decimal(health.maintenance),
        "maintenance_shortfall_usd": usd_decimal(health.shortfall),
        "bad_debt_usd": usd_decimal(health.bad_debt),
    }


def write_epoch(
    out: Path, epoch: Epoch, records: Sequence[InclusionRecord], margin_keys: CircuitKeys
) -> None:
    """Write the epoch folder `out`; FileExistsError if it exists. Atomic on one file system."""
    if out.exists():
        raise FileExistsError(f"{out} exists; an epoch is never overwritten")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        (staging / PUBLIC_EPOCH).parent.mkdir(parents=True)
        (staging / PUBLIC_EPOCH).write_text(json.dumps(epoch_to_json(epoch), indent=1))
        kit = staging / MARGIN_KIT
        kit.mkdir()
        shutil.copyfile(margin_keys.circuit.wasm, kit / "margin.wasm")
        for name in ("proving_key.bin", "verification_key.json", "setup.json"):
            shutil.copyfile(margin_keys.directory / name, kit / name)
        (staging / RECORDS).parent.mkdir()
        with (staging / RECORDS).open("w") as f:
            for record in records:
                f.write(json.dumps(record_to_json(record, epoch.profile)) + "\n")
        params = epoch.params.circuit(epoch.profile)
        with (staging / AT_RISK).open("w") as f:
            for record in records:
                health = evaluate(record.account, params)
                if health.margin_class != HEALTHY:
                    f.write(json.dumps(at_risk_json(record, health)) + "\n")
        os.chmod(staging / RECORDS.parent, 0o700)
        os.rename(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
