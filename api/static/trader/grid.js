// A portfolio account's scenario grid as a picture: an inline SVG heat map of the loss per scenario (price
// move by volatility state, the extended moves as their own row), the worst cell marked, a legend. Readable
// without colour: every cell carries its loss as text, and the worst cell a thick frame and the word "worst".
(function (root) {
  "use strict";
  const M = root.ZkMargin;
  const LOSS_DIGITS = 16; // a loss is USD * 1e16 (quanta times USD * 1e8 per unit)
  const LABEL_W = 118, CELL_H = 34, HEAD_H = 22, GAP = 26;
  const LOSS_RGB = [179, 38, 30], GAIN_RGB = [33, 102, 172]; // red for a loss, blue for a gain
  const esc = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const abs = (x) => (x < 0n ? -x : x);
  const percent = (move) => `${move > 0n ? "+" : ""}${M.scaled(move, 4)}%`;
  // A loss in whole USD, rounded toward zero (as the CLI's table).
  const whole = (loss) => M.scaled(loss, LOSS_DIGITS).split(".")[0].replace(/^-0$/, "0");

  // The fill of a cell: white at 0, full colour at the largest |loss| of the grid.
  function fill(loss, largest) {
    if (largest === 0n || loss === 0n) return "rgb(255,255,255)";
    const share = Number((abs(loss) * 1000n) / largest) / 1000;
    const rgb = (loss > 0n ? LOSS_RGB : GAIN_RGB).map((c) => Math.round(255 - (255 - c) * (0.15 + 0.85 * share)));
    return `rgb(${rgb.join(",")})`;
  }

  // The SVG of `health.scenario` under shock rules `rules` (scenarios.js): scenario i of the grid's order is
  // drawn at row (vol state), column (price move), the extended ones in a row of their own below.
  function svg(scenario, rules) {
    const list = ZkScenarios.scenarios(rules);
    const { losses, worst } = scenario;
    const largest = losses.reduce((m, l) => (abs(l) > m ? abs(l) : m), 0n);
    const cellW = Math.max(62, 9 * Math.max(...losses.map((l) => whole(l).length)) + 18);
    const moves = rules.priceMoves;
    const extended = list.map((s, i) => i).filter((i) => list[i].extended);
    const columns = Math.max(moves.length, extended.length);
    const width = LABEL_W + columns * cellW + 2;
    const standardTop = HEAD_H;
    const extendedTop = standardTop + 3 * CELL_H + GAP + 2 * HEAD_H;
    const legendTop = extendedTop + CELL_H + 22;
    const height = legendTop + 58;
    const parts = [];
    const text = (x, y, body, attrs = "") => parts.push(`<text x="${x}" y="${y}" ${attrs}>${esc(body)}</text>`);
    const cell = (i, x, y) => {
      const s = list[i];
      const loss = losses[i];
      const isWorst = i === worst;
      const exact = M.scaled(loss, LOSS_DIGITS);
      const ink = largest > 0n && abs(loss) * 10n > largest * 6n ? "#fff" : "#000"; // white on the darkest cells
      const what = `scenario ${i}: price ${percent(s.move)}, vol ${s.vol}${s.extended ? `, counted at ${M.scaled(s.fraction, 6)}` : ""}`;
      parts.push(`<g class="cell" data-index="${i}" data-loss="${exact}" data-worst="${isWorst}">` +
        `<title>${esc(`${what}: ${loss < 0n ? "gain " + M.scaled(-loss, LOSS_DIGITS) : "loss " + exact} USD`)}</title>` +
        `<rect x="${x}" y="${y}" width="${cellW}" height="${CELL_H}" fill="${fill(loss, largest)}" stroke="#888" stroke-width="0.5"/>` +
        (isWorst ? `<rect class="worst-mark" x="${x + 1.5}" y="${y + 1.5}" width="${cellW - 3}" height="${CELL_H - 3}" fill="none" stroke="#000" stroke-width="3"/>` : "") +
        `<text x="${x + cellW / 2}" y="${y + (isWorst ? 15 : 21)}" text-anchor="middle" font-size="12" fill="${ink}"${isWorst ? ' font-weight="bold"' : ""}>${esc(whole(loss))}</text>` +
        (isWorst ? `<text x="${x + cellW / 2}" y="${y + 28}" text-anchor="middle" font-size="10" font-weight="bold" fill="${ink}">worst</text>` : "") +
        "</g>");
    };
    text(4, 15, "price move", 'font-size="12" font-weight="bold"');
    moves.forEach((m, k) => text(LABEL_W + k * cellW + cellW / 2, 15, percent(m), 'text-anchor="middle" font-size="12"'));
    ZkScenarios.VOL_STATES.forEach((vol, j) => {
      const y = standardTop + j * CELL_H;
      text(4, y + 21, `vol ${vol}`, 'font-size="12"');
      moves.forEach((_, k) => cell(k * 3 + j, LABEL_W + k * cellW, y));
    });
    const headTop = standardTop + 3 * CELL_H + GAP;
    text(4, headTop - 6, "extended moves (vol up), loss counted at a fraction", 'font-size="12" font-weight="bold"');
    text(4, headTop + 15, "price move", 'font-size="12"');
    text(4, headTop + HEAD_H + 15, "counted fraction", 'font-size="12"');
    extended.forEach((i, k) => {
      const x = LABEL_W + k * cellW + cellW / 2;
      text(x, headTop + 15, percent(list[i].move), 'text-anchor="middle" font-size="12"');
      text(x, headTop + HEAD_H + 15, M.scaled(list[i].fraction, 6), 'text-anchor="middle" font-size="11"');
    });
    text(4, extendedTop + 21, "vol up", 'font-size="12"');
    extended.forEach((i, k) => cell(i, LABEL_W + k * cellW, extendedTop));
    // The legend: the colour scale from the largest gain to the largest loss, and the worst cell's mark.
    const barW = Math.min(260, width - 240);
    parts.push(`<g id="grid-legend"><defs><linearGradient id="grid-scale"><stop offset="0" stop-color="rgb(${GAIN_RGB})"/>` +
      `<stop offset="0.5" stop-color="#fff"/><stop offset="1" stop-color="rgb(${LOSS_RGB})"/></linearGradient></defs>` +
      `<rect x="4" y="${legendTop}" width="${barW}" height="12" fill="url(#grid-scale)" stroke="#888" stroke-width="0.5"/>`);
    text(4, legendTop + 26, `gain ${whole(largest)}`, 'font-size="11"');
    text(4 + barW / 2, legendTop + 26, "0", 'font-size="11" text-anchor="middle"');
    text(4 + barW, legendTop + 26, `loss ${whole(largest)}`, 'font-size="11" text-anchor="end"');
    text(4, legendTop + 44, "USD per cell (whole USD, negative = gain)", 'font-size="11"');
    const markX = barW + 24;
    parts.push(`<rect x="${markX}" y="${legendTop - 2}" width="26" height="16" fill="none" stroke="#000" stroke-width="3"/>`);
    text(markX + 34, legendTop + 11, "worst scenario: sets initial margin", 'font-size="11"');
    parts.push("</g>");
    return `<svg id="scenario-grid" xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="scenario-grid-title" ` +
      `width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif">` +
      `<title id="scenario-grid-title">Loss of the account in each scenario of the grid; the worst is scenario ${worst}</title>` +
      `${parts.join("")}</svg>`;
  }

  // The grid with its heading and the worst scenario in words.
  function section(health, p) {
    const list = ZkScenarios.scenarios(p.shocks);
    const s = list[health.scenario.worst];
    const worstLoss = health.scenario.losses[health.scenario.worst];
    const said = worstLoss > 0n
      ? `loss ${M.scaled(worstLoss, LOSS_DIGITS)} USD`
      : `no scenario loses (the least gain: ${M.scaled(-worstLoss, LOSS_DIGITS)} USD), so no margin is due`;
    return `<h3>Scenario grid (portfolio margin)</h3>
      <p class="note">Your account's loss if every price moves by the percent of the column and volatilities
      move as the row says, from the epoch's published risk arrays, computed in this page. Initial margin is the
      worst loss (0 if none loses); maintenance margin is ${M.scaled(p.shocks.mmRatio, 6)} times it.</p>
      <div class="wide">${svg(health.scenario, p.shocks)}</div>
      <p id="grid-worst" data-index="${health.scenario.worst}">Worst: scenario ${health.scenario.worst}
      (${s.extended ? "extended" : "standard"}, price ${percent(s.move)}, vol ${s.vol}), ${said}.</p>`;
  }

  root.ZkGrid = { svg, section };
})(window);
