"""Hand-out endpoints against a real server: token reissue (venue only) and the margin kit (upload
checked against the epoch's margin key, download by anyone)."""

import io
import shutil
import zipfile
from pathlib import Path

from conftest import Circuits

from zksolvency.prover.margin_kit import pack

from .conftest import EPOCH_ID, Published, venue_headers


def test_a_reissued_token_replaces_the_old_one(published: Published) -> None:
    c, old = published.client, published.tokens[0]
    path = f"/v1/epochs/{EPOCH_ID}/accounts/{old['account_id']}/token"
    params = {"subaccount": old["subaccount"]}
    assert c.post(path, params=params).status_code == 401
    assert c.post(path, params=params, headers={"Authorization": f"Bearer {old['token']}"}).status_code == 403
    assert c.post(f"/v1/epochs/{EPOCH_ID}/accounts/999999/token", headers=venue_headers()).status_code == 404
    response = c.post(path, params=params, headers=venue_headers())
    assert response.status_code == 200, response.text
    new = response.json()
    assert new["index"] == old["index"] and new["token"] != old["token"] and len(new["token"]) == 43
    record = f"/v1/epochs/{EPOCH_ID}/record"
    assert c.get(record, headers={"Authorization": f"Bearer {old['token']}"}).status_code == 404
    mine = c.get(record, headers={"Authorization": f"Bearer {new['token']}"})
    assert mine.status_code == 200 and mine.json()["account"]["account_id"] == old["account_id"]


def test_the_margin_kit_is_checked_on_upload_and_downloadable(
    published: Published, ci: Circuits, tmp_path: Path
) -> None:
    c, kit_url = published.client, f"/v1/epochs/{EPOCH_ID}/margin-kit"
    shutil.copyfile(ci.margin.circuit.wasm, tmp_path / "margin.wasm")  # the kit's layout (prover/publish.py)
    for name in ("proving_key.bin", "verification_key.json", "setup.json"):
        shutil.copyfile(ci.margin.directory / name, tmp_path / name)
    kit = pack(tmp_path)
    zipped = {"Content-Type": "application/octet-stream"}
    assert c.get(kit_url).status_code == 404
    assert c.put(kit_url, content=kit, headers=zipped).status_code == 401
    wrong = pack_with(
        kit, "verification_key.json", ci.batch.directory.joinpath("verification_key.json").read_bytes()
    )
    refused = c.put(kit_url, content=wrong, headers={**zipped, **venue_headers()})
    assert refused.status_code == 422 and "not the epoch's margin key" in refused.json()["detail"]
    junk = c.put(kit_url, content=b"not a zip", headers={**zipped, **venue_headers()})
    assert junk.status_code == 422 and "not a zip" in junk.json()["detail"]
    assert c.put(kit_url, content=kit, headers={**zipped, **venue_headers()}).status_code == 204
    assert (
        c.put(kit_url, content=kit, headers={**zipped, **venue_headers()}).status_code == 204
    )  # same kit again
    assert c.put(kit_url, content=wrong, headers={**zipped, **venue_headers()}).status_code == 422
    download = c.get(kit_url)
    assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
    assert download.content == kit


def pack_with(kit: bytes, name: str, data: bytes) -> bytes:
    """The kit zip with one file replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(kit)) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.namelist():
            target.writestr(member, data if member == name else source.read(member))
    return out.getvalue()
