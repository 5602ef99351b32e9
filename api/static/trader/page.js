// What the trader page's checks share: reading the API, the two kinds of failure, numbers and their forms.
(function (root) {
  "use strict";

  // The input cannot be used (no token, a wrong token, a file that is not a record): nothing was checked.
  class InputError extends Error {}

  // A check failed: the input was read, and what it claims does not hold.
  class CheckFailed extends Error {
    constructor(check, why) { super(`${check}: ${why}`); this.check = check; this.why = why; }
  }

  class HttpError extends Error {
    constructor(url, status, detail) { super(`${url}: ${status} ${detail}`); this.status = status; this.detail = detail; }
  }

  async function getJson(url, headers) {
    const response = await fetch(url, { headers: headers || {}, cache: "no-store" });
    if (!response.ok) {
      let detail = response.statusText;
      try { detail = (await response.json()).detail; } catch (e) { /* keep the status text */ }
      throw new HttpError(url, response.status, typeof detail === "string" ? detail : JSON.stringify(detail));
    }
    return response.json();
  }

  // The published epoch `id`; an epoch this server does not have is a fault of the input.
  async function epoch(id) {
    try {
      return await getJson(`/v1/epochs/${encodeURIComponent(id)}`);
    } catch (error) {
      if (error instanceof HttpError && (error.status === 404 || error.status === 422)) {
        throw new InputError(`this server has no epoch ${id}`);
      }
      throw error;
    }
  }

  // An integer given as a JSON number or a decimal or 0x-hex string; `fault` makes the error for anything else.
  function integer(v, where, fault) {
    if (typeof v === "number" && Number.isSafeInteger(v)) return BigInt(v);
    if (typeof v === "string" && /^(-?[0-9]{1,80}|0x[0-9a-fA-F]{1,64})$/.test(v)) return BigInt(v);
    throw fault(`${where} is not an integer`);
  }

  // A hash domain: the ASCII bytes of "zksolvency/<kind>" as a big-endian integer (verifier/field.py).
  const domain = (kind) => [...new TextEncoder().encode(`zksolvency/${kind}`)].reduce((n, b) => (n << 8n) | BigInt(b), 0n);

  const esc = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

  // A hash or root as the chain shows it: 0x and 64 hex digits.
  const hex32 = (v) => `0x${BigInt(v).toString(16).padStart(64, "0")}`;

  // A verdict element and its list of checks: idle, checking, valid, invalid, input (nothing was checked:
  // the input is at fault) or error (nothing was checked: the server or the network is).
  function report(verdictId, checksId) {
    const verdict = document.getElementById(verdictId);
    const checks = document.getElementById(checksId);
    const set = (state, text) => { verdict.className = `verdict ${state}`; verdict.dataset.state = state; verdict.textContent = text; };
    return {
      start() { checks.innerHTML = ""; set("checking", "Checking..."); },
      show(name, ok, why) {
        const li = document.createElement("li");
        li.className = ok ? "ok" : "fail";
        li.textContent = ok ? name : `${name}: ${why}`;
        checks.appendChild(li);
      },
      valid(text) { set("valid", text); },
      fail(error) {
        if (error instanceof InputError) {
          set("input", `Check your input: ${error.message}`);
        } else if (error instanceof CheckFailed) {
          this.show(error.check, false, error.why);
          set("invalid", `INVALID: ${error.message}`);
        } else {
          set("error", `Could not check: ${error.message}`);
        }
      },
    };
  }

  root.ZkPage = { InputError, CheckFailed, HttpError, getJson, epoch, integer, domain, esc, hex32, report };
})(window);
