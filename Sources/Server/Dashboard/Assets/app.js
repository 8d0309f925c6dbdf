// Infinity Metrics dashboard: plain JavaScript, served by this server only. Every number comes
// from POST /api/dashboard/query, the same engine as `infinity query` and the Stats API.
"use strict";
(() => {
  const app = document.getElementById("app");
  const share = location.pathname.startsWith("/share/") ? location.pathname.slice(7) : null;
  let session = null;
  let sessionAt = 0;
  // Operators: the words on a chip, and the suffix after the dimension in the URL (`f=page~:/blog`).
  const OPERATORS = { is: ["is", ""], is_not: ["is not", "!"], contains: ["contains", "~"], contains_not: ["does not contain", "!~"] };
  const state = readURL();

  const SESSION_DIMS = new Set(["entry_page", "exit_page", "source", "referrer", "channel", "utm_source", "utm_medium",
    "utm_campaign", "utm_content", "utm_term", "country", "browser", "browser_version", "os", "os_version", "device", "screen"]);
  const PANELS = [
    { title: "Pages", tabs: [["page", "Top pages"], ["entry_page", "Entry pages"], ["exit_page", "Exit pages"]] },
    { title: "Sources", tabs: [["source", "Sources"], ["referrer", "Referrers"], ["channel", "Channels"], ["utm_source", "UTM source"], ["utm_medium", "UTM medium"], ["utm_campaign", "UTM campaign"]] },
    { title: "Locations", tabs: [["country", "Countries"], ["map", "Map"]] },
    { title: "Devices", tabs: [["device", "Devices"], ["browser", "Browsers"], ["os", "OS"], ["browser_version", "Browser versions"], ["os_version", "OS versions"]] },
    { title: "Goals", tabs: [["goal", "Goals"], ["prop", "Properties"], ["currency", "Revenue"]] },
  ];
  const CARDS = [["visitors", "Unique visitors"], ["visits", "Total visits"], ["pageviews", "Pageviews"],
    ["views_per_visit", "Views per visit"], ["bounce_rate", "Bounce rate"], ["visit_duration", "Visit duration"]];
  const RANGES = [["today", "Today"], ["yesterday", "Yesterday"], ["7d", "Last 7 days"], ["28d", "Last 28 days"],
    ["30d", "Last 30 days"], ["month", "This month"], ["last-month", "Last month"], ["6mo", "Last 6 months"],
    ["12mo", "Last 12 months"], ["year", "This year"], ["all", "All time"], ["custom", "Custom…"]];

  function parseFilter(token) {
    // A property filter's dimension has a colon of its own: `props:plan:pro` is plan is pro.
    const i = token.startsWith("props:") ? token.indexOf(":", 6) : token.indexOf(":");
    if (i < 0) return {};
    const head = token.slice(0, i);
    const op = head.endsWith("!~") ? "contains_not" : head.endsWith("~") ? "contains" : head.endsWith("!") ? "is_not" : "is";
    return { dim: head.slice(0, head.length - OPERATORS[op][1].length), op, value: token.slice(i + 1) };
  }
  function filterToken(f) { return f.dim + OPERATORS[f.op][1] + ":" + f.value; }
  function dimName(dim) { return dim.startsWith("props:") ? "property " + dim.slice(6) : dim.replace(/_/g, " "); }

  function readURL() {
    const q = new URLSearchParams(location.search);
    return {
      site: q.get("site"), range: q.get("range") || "30d", from: q.get("from") || "", to: q.get("to") || "",
      compare: q.get("compare") === "1", interval: q.get("interval") || "", imports: q.get("imports") !== "0",
      filters: q.getAll("f").map(parseFilter).filter((f) => f.dim),
      tabs: {},
    };
  }
  function writeURL() {
    const q = new URLSearchParams();
    if (state.site) q.set("site", state.site);
    q.set("range", state.range);
    if (state.range === "custom") { q.set("from", state.from); q.set("to", state.to); }
    if (state.compare) q.set("compare", "1");
    if (state.interval) q.set("interval", state.interval);
    if (!state.imports) q.set("imports", "0");
    state.filters.forEach((f) => q.append("f", filterToken(f)));
    history.replaceState(null, "", location.pathname + "?" + q.toString());
  }

  // Every request carries the shared link's token or the session's CSRF token.
  function send(path, options = {}) {
    const headers = Object.assign({ "Content-Type": "application/json" }, options.headers || {});
    if (share) headers["X-Share-Token"] = share;
    if (session && session.csrf) headers["X-CSRF-Token"] = session.csrf;
    return fetch(path, Object.assign({}, options, { headers, credentials: "same-origin" }));
  }
  async function call(path, options = {}) {
    const response = await send(path, options);
    const body = await response.json().catch(() => ({}));
    if (!response.ok) { const e = new Error((body.errors && body.errors[0] && body.errors[0].message) || response.statusText); e.status = response.status; throw e; }
    return body;
  }
  const query = (q) => call("/api/dashboard/query", { method: "POST", body: JSON.stringify(q) });
  // The same question as CSV, every row (the server writes it, as `infinity query --format csv` does).
  async function queryCSV(q) {
    const response = await send("/api/dashboard/query", { method: "POST", body: JSON.stringify(q), headers: { Accept: "text/csv" } });
    if (!response.ok) throw new Error(response.statusText);
    return response.text();
  }

  function apiName(dim) { return (SESSION_DIMS.has(dim) ? "visit:" : "event:") + dim; }
  function dateRange() { return state.range === "custom" ? [state.from, state.to] : state.range; }
  function baseQuery(extra) {
    const q = { site_id: state.site, date_range: dateRange(), metrics: ["visitors"] };
    if (state.filters.length) q.filters = state.filters.map((f) => [f.op, apiName(f.dim), [f.value]]);
    Object.assign(q, extra);
    // Imported history (another tool's daily numbers) counts unless switched off.
    q.include = Object.assign({}, q.include, { imports: state.imports });
    return q;
  }

  // Formatting like the CLI: 1.2k, 34%, 2m 05s.
  function count(v) { if (v == null) return "–"; const a = Math.abs(v); if (a < 1000) return String(Math.round(v)); if (a < 1e6) return dec(v / 1e3) + "k"; return dec(v / 1e6) + "M"; }
  function plural(v, noun, exact) { return (exact ? String(Math.round(v)) : count(v)) + " " + noun + (Math.round(v) === 1 ? "" : "s"); }
  function dec(v) { return Math.abs(v) >= 100 ? String(Math.round(v)) : String(Math.round(v * 10) / 10); }
  function pct(v) { return v == null ? "–" : (Math.abs(v) < 10 && v !== Math.round(v) ? v.toFixed(1) : Math.round(v)) + "%"; }
  function dur(v) { if (v == null) return "–"; const t = Math.round(v); if (t >= 3600) return Math.floor(t / 3600) + "h " + String(Math.floor(t % 3600 / 60)).padStart(2, "0") + "m"; if (t >= 60) return Math.floor(t / 60) + "m " + String(t % 60).padStart(2, "0") + "s"; return t + "s"; }
  function show(metric, v) {
    if (["bounce_rate", "conversion_rate", "percentage", "scroll_depth"].includes(metric)) return pct(v);
    if (metric === "visit_duration" || metric === "time_on_page") return dur(v);
    if (metric === "views_per_visit") return v == null ? "–" : v.toFixed(2);
    if (metric === "revenue") return v == null ? "–" : v.toFixed(2);
    return count(v);
  }
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) { if (k === "on") for (const [e, f] of Object.entries(v)) node.addEventListener(e, f); else if (v != null) node.setAttribute(k, v); }
    for (const c of children.flat()) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  }
  const regionNames = typeof Intl.DisplayNames === "function" ? new Intl.DisplayNames(["en"], { type: "region" }) : null;
  function label(dim, value) {
    if (value === "") return dim === "source" || dim === "referrer" ? "Direct / None" : "(none)";
    if (dim === "country" && /^[A-Z]{2}$/.test(value)) {
      const flag = String.fromCodePoint(...[...value].map((c) => 0x1f1e6 + c.charCodeAt(0) - 65));
      return flag + " " + ((regionNames && regionNames.of(value)) || value);
    }
    return value;
  }

  function renderLogin(message) {
    const email = el("input", { type: "email", name: "email", placeholder: "E-mail", required: "", autocomplete: "username" });
    const password = el("input", { type: "password", name: "password", placeholder: "Password", required: "", autocomplete: "current-password" });
    const error = el("p", { class: "error", role: "alert" }, message || "");
    const form = el("form", { class: "login", on: { submit: async (e) => {
      e.preventDefault();
      try { await call("/api/dashboard/login", { method: "POST", body: JSON.stringify({ email: email.value, password: password.value }) }); start(); }
      catch (err) { error.textContent = err.message; }
    } } }, el("h1", {}, "Infinity Metrics"), email, password, el("button", { type: "submit" }, "Log in"), error);
    app.replaceChildren(form);
  }

  // An invitation link: choose a password, then log in with it.
  function renderInvite(token) {
    const password = el("input", { type: "password", name: "password", placeholder: "New password (10 or more characters)", required: "", autocomplete: "new-password" });
    const error = el("p", { class: "error", role: "alert" });
    const form = el("form", { class: "login invite", on: { submit: async (e) => {
      e.preventDefault();
      try {
        const joined = await call("/api/dashboard/invite", { method: "POST", body: JSON.stringify({ token, password: password.value }) });
        history.replaceState(null, "", "/");
        renderLogin("Welcome, " + joined.email + ". Log in with your new password.");
      } catch (err) { error.textContent = err.message; }
    } } }, el("h1", {}, "Infinity Metrics"), el("p", {}, "Choose a password for your invitation."), password, el("button", { type: "submit" }, "Set password"), error);
    app.replaceChildren(form);
  }

  async function start() {
    if (location.pathname.startsWith("/invite/")) return renderInvite(location.pathname.slice(8));
    try { session = await call("/api/dashboard/session"); sessionAt = Date.now(); }
    catch (err) { if (err.status === 401 && !share) return renderLogin(); app.replaceChildren(el("p", { class: "error" }, err.message)); return; }
    if (!state.site || !session.sites.includes(state.site)) state.site = session.sites[0];
    if (!state.site) { app.replaceChildren(el("p", {}, "No sites yet. Add one with: infinity sites add example.com")); return; }
    render();
    setInterval(refreshRealtime, 30000);
  }

  function header() {
    const site = el("select", { "aria-label": "Site", on: { change: (e) => { state.site = e.target.value; state.filters = []; render(); } } },
      session.sites.map((s) => el("option", { value: s, selected: s === state.site ? "" : null }, s)));
    const range = el("select", { "aria-label": "Date range", on: { change: (e) => { state.range = e.target.value; render(); } } },
      RANGES.map(([v, t]) => el("option", { value: v, selected: v === state.range ? "" : null }, t)));
    const parts = [el("h1", {}, "Infinity Metrics"), site, range];
    if (state.range === "custom") {
      const from = el("input", { type: "date", value: state.from, "aria-label": "From" });
      const to = el("input", { type: "date", value: state.to, "aria-label": "To" });
      parts.push(from, to, el("button", { on: { click: () => { state.from = from.value; state.to = to.value; render(); } } }, "Apply"));
    }
    const compare = el("input", { type: "checkbox", id: "compare", checked: state.compare ? "" : null, on: { change: (e) => { state.compare = e.target.checked; render(); } } });
    parts.push(el("label", {}, compare, " Compare with previous period"));
    parts.push(el("button", { class: "link export-all", title: "Every table of this range, as Plausible's CSV export (a zip)", on: { click: () => exportAll() } }, "Export"));
    if (session.role === "owner" && !session.shared) parts.push(el("button", { class: "link export-hits", title: "This range's anonymized hits, as a Parquet file (DuckDB, pandas, Spark)", on: { click: () => exportAll("parquet") } }, "Hits"));
    parts.push(el("button", { class: "link realtime", id: "realtime", title: "Realtime: the last 30 minutes", on: { click: openRealtime } }, ""));
    if (session.role === "owner") parts.push(el("button", { class: "link settings-open", on: { click: openDefinitions } }, "Goals & funnels"));
    if (session.role === "owner") parts.push(el("button", { class: "link admin-open", on: { click: openSettings } }, "Settings"));
    if (!session.shared) parts.push(el("button", { class: "link", on: { click: async () => { await call("/api/dashboard/logout", { method: "POST" }); location.href = "/"; } } }, "Log out"));
    return el("header", {}, parts);
  }

  function chips() {
    const list = el("div", { class: "chips" }, state.filters.map((f, i) => el("span", { class: "chip", "data-filter": filterToken(f) },
      dimName(f.dim) + " " + OPERATORS[f.op][0] + " " + label(f.dim, f.value),
      el("button", { "aria-label": "Remove filter", on: { click: () => { state.filters.splice(i, 1); render(); } } }, "×"))));
    list.append(el("button", { class: "link add-filter", on: { click: () => list.replaceWith(filterForm()) } }, "+ Filter"));
    return list;
  }

  // A filter menu: any dimension of the panels, is / is not / contains / does not contain.
  function filterForm() {
    const dims = PANELS.flatMap((p) => p.tabs).filter(([d]) => !["prop", "currency", "map"].includes(d));
    const dim = el("select", { name: "dim", "aria-label": "Filter dimension" }, dims.map(([d, t]) => el("option", { value: d }, t)));
    const op = el("select", { name: "op", "aria-label": "Filter operator" }, Object.entries(OPERATORS).map(([o, [t]]) => el("option", { value: o }, t)));
    const value = el("input", { name: "value", "aria-label": "Filter value", placeholder: "value", required: "" });
    const form = el("form", { class: "chips filter-form", on: { submit: (e) => {
      e.preventDefault();
      if (!value.value) return;
      state.filters.push({ dim: dim.value, op: op.value, value: value.value });
      render();
    } } }, dim, op, value, el("button", { type: "submit" }, "Apply"), el("button", { type: "button", class: "link", on: { click: () => render() } }, "Cancel"));
    setTimeout(() => value.focus(), 0);
    return form;
  }

  async function render() {
    writeURL();
    const cards = el("section", { class: "cards" });
    const chart = el("section", { class: "chart" });
    const panels = el("section", { class: "panels" });
    const funnels = el("section", { class: "funnels" });
    const imports = el("p", { class: "imports muted", hidden: "" });
    app.replaceChildren(header(), chips(), imports, cards, chart, panels, funnels);
    refreshRealtime();
    const compare = state.compare ? { include: { comparisons: { mode: "previous_period" } } } : {};
    try {
      const totals = await query(baseQuery(Object.assign({ metrics: CARDS.map((c) => c[0]) }, compare)));
      const row = totals.totals;
      showImports(imports, totals.meta);
      cards.replaceChildren(...CARDS.map(([m, t], i) => {
        const v = row.metrics[i];
        const change = row.comparison ? row.comparison.change[i] : null;
        return el("div", { class: "card", "data-metric": m, "data-raw": v == null ? "" : v },
          el("div", { class: "label" }, t), el("div", { class: "value" }, show(m, v)),
          change == null ? "" : el("div", { class: "change " + (change >= 0 ? "up" : "down") }, (change >= 0 ? "▲ " : "▼ ") + Math.abs(Math.round(change * 10) / 10) + (["bounce_rate"].includes(m) ? " pts" : "%")));
      }));
      const interval = state.interval || (state.range === "today" || state.range === "yesterday" ? "hour" : state.range === "12mo" || state.range === "all" ? "month" : "day");
      const series = await query(baseQuery(Object.assign({ metrics: ["visitors", "pageviews"], dimensions: ["time:" + interval] }, compare)));
      const picker = el("select", { "aria-label": "Chart interval", class: "interval", on: { change: (e) => { state.interval = e.target.value; render(); } } },
        ["hour", "day", "week", "month"].map((v) => el("option", { value: v, selected: v === interval ? "" : null }, "By " + v)));
      chart.replaceChildren(picker, drawChart(series.results, interval === "hour"));
      PANELS.forEach((panel, index) => panels.append(renderPanel(panel, index)));
      renderFunnels(funnels);
    } catch (err) {
      cards.replaceChildren(el("p", { class: "error" }, err.message));
    }
  }

  // Where the range has imported history: a switch to leave it out, and why it is left out here.
  function showImports(line, meta) {
    if (meta.imports_included == null && state.imports) return;
    const box = el("input", { type: "checkbox", name: "imports", checked: state.imports ? "" : null,
      on: { change: (e) => { state.imports = e.target.checked; render(); } } });
    const why = (meta.warnings || []).filter((w) => w.startsWith("imported days"));
    line.replaceChildren(el("label", {}, box, " Include imported data"), why.length ? " — " + why.join("; ") : "");
    line.hidden = false;
  }

  // The site's wall-clock time now, as the server told it at login plus the time since.
  function siteNow() {
    const told = session && session.now && session.now[state.site];
    if (!told) return null;
    const ms = Date.parse(told.replace(" ", "T") + "Z") + (Date.now() - sessionAt);
    return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
  }

  function drawChart(rows, hourly) {
    // Drawn at the width it is shown at, so that labels keep their size on a phone.
    const w = Math.max(300, Math.min(1000, (app.clientWidth || 1000) - 18)), h = w < 600 ? 160 : 220, pad = 28;
    // Buckets that start after now have no data yet: the line stops at the present.
    const now = siteNow();
    const past = now ? rows.filter((r) => r.dimensions[0] <= now.slice(0, r.dimensions[0].length)).length : rows.length;
    const values = rows.map((r) => r.metrics[0] || 0);
    const previous = rows.map((r) => (r.comparison ? r.comparison.metrics[0] || 0 : null));
    const top = Math.max(1, ...values, ...previous.filter((v) => v != null));
    const x = (i) => pad + (rows.length < 2 ? 0 : i * (w - 2 * pad) / (rows.length - 1));
    const y = (v) => h - pad - v / top * (h - 2 * pad);
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "Visitors per " + (hourly ? "hour" : "day"));
    const node = (tag, attrs) => { const n = document.createElementNS(ns, tag); for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v); svg.append(n); return n; };
    const points = values.slice(0, past).map((v, i) => `${x(i)},${y(v)}`).join(" ");
    if (rows.length && past) {
      node("polygon", { class: "area", points: `${x(0)},${h - pad} ${points} ${x(past - 1)},${h - pad}` });
      if (previous.some((v) => v != null)) node("polyline", { class: "previous", points: previous.map((v, i) => `${x(i)},${y(v || 0)}`).join(" ") });
      node("polyline", { class: "line", points });
      const step = Math.max(1, Math.ceil(rows.length / Math.max(3, Math.floor(w / 120))));
      rows.forEach((r, i) => { if (i % step === 0) node("text", { x: x(i), y: h - 8, "text-anchor": "middle" }).textContent = hourly ? r.dimensions[0].slice(11, 13) + "h" : r.dimensions[0].slice(5); });
      // The y axis: its top value and zero, with a faint line at each.
      node("line", { class: "grid", x1: pad, x2: w - pad, y1: y(top), y2: y(top) });
      node("line", { class: "grid", x1: pad, x2: w - pad, y1: y(0), y2: y(0) });
      node("text", { x: 4, y: pad - 8 }).textContent = plural(top, "visitor");
      node("text", { x: 4, y: h - pad + 4 }).textContent = "0";
      // Hovering a bucket shows its numbers (the native tooltip of an invisible slice).
      const slice = rows.length < 2 ? w - 2 * pad : (w - 2 * pad) / (rows.length - 1);
      rows.slice(0, past).forEach((r, i) => {
        const bucket = node("rect", { class: "bucket", x: x(i) - slice / 2, y: pad, width: slice, height: h - 2 * pad,
          "data-time": r.dimensions[0], "data-visitors": values[i], "data-pageviews": r.metrics[1] == null ? "" : r.metrics[1] });
        const title = document.createElementNS(ns, "title");
        title.textContent = r.dimensions[0] + ": " + plural(values[i], "visitor", true) + ", " + plural(r.metrics[1] || 0, "pageview", true) +
          (previous[i] != null ? " (previous period: " + plural(previous[i], "visitor", true) + ")" : "");
        bucket.append(title);
      });
    }
    return svg;
  }

  // The world outline (Natural Earth, public domain), fetched once from the server itself.
  let worldOutline = null;
  function world() {
    if (!worldOutline) worldOutline = fetch("/assets/world.json").then((r) => { if (!r.ok) throw new Error("the map could not load"); return r.json(); });
    return worldOutline;
  }

  // Countries coloured by visitors (darker: more); a click filters by the country.
  function renderMap(body, rows) {
    return world().then((outline) => {
      const visitors = new Map(rows.map((r) => [r.dimensions[0], r.metrics[0] || 0]));
      const top = Math.max(1, ...visitors.values());
      const ns = "http://www.w3.org/2000/svg";
      const svg = document.createElementNS(ns, "svg");
      svg.setAttribute("viewBox", `0 0 ${outline.width} ${outline.height}`);
      svg.setAttribute("class", "worldmap");
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", "Visitors by country");
      for (const [code, d] of Object.entries(outline.countries)) {
        const n = visitors.get(code) || 0;
        const path = document.createElementNS(ns, "path");
        path.setAttribute("d", d);
        path.dataset.code = code;
        path.dataset.visitors = n;
        // A square-root scale, so that a few large countries do not wash out the rest.
        if (n > 0) path.style.fillOpacity = String(0.15 + 0.85 * Math.sqrt(n / top));
        path.setAttribute("class", n > 0 ? "visited" : "");
        const title = document.createElementNS(ns, "title");
        title.textContent = label("country", code) + ": " + plural(n, "visitor", true);
        path.append(title);
        if (n > 0) path.addEventListener("click", () => addFilter("country", code));
        svg.append(path);
      }
      const missing = rows.filter((r) => r.dimensions[0] && !outline.countries[r.dimensions[0]]).length;
      body.replaceChildren(svg, el("p", { class: "muted map-legend" }, "Darker: more visitors (most: " + plural(top, "visitor", true) + ")" +
        (missing ? "; " + missing + " small " + (missing === 1 ? "country is" : "countries are") + " listed under Countries only" : "")));
    });
  }

  function renderPanel(panel, index) {
    const current = state.tabs[index] || panel.tabs[0][0];
    if (current === "map") return renderMapPanel(panel, index);
    const metrics = current === "goal" ? ["visitors", "conversion_rate", "revenue"] : current === "currency" ? ["visitors", "revenue"] : ["visitors", "percentage"];
    const body = el("div", {}, el("p", { class: "muted" }, "Loading…"));
    let rows = [];
    const title = panel.tabs.find((t) => t[0] === current)[1];
    const exportLink = el("button", { class: "link export", on: { click: () => exportCSV(current, metrics) } }, "CSV");
    // Pages' details add how long each page was looked at and how far it was scrolled.
    const detailMetrics = current === "page" ? ["visitors", "pageviews", "time_on_page", "scroll_depth"] : metrics;
    const detailsLink = el("button", { class: "link details-open", on: { click: () => openDetails(current, title, detailMetrics) } }, "Details");
    const nav = el("nav", {}, el("h2", {}, panel.title),
      panel.tabs.map(([dim, title]) => el("button", { class: dim === current ? "on" : "", on: { click: () => { state.tabs[index] = dim; section.replaceWith(renderPanel(panel, index)); } } }, title)),
      detailsLink, exportLink);
    const section = el("div", { class: "panel", "data-panel": current }, nav, body);
    query(baseQuery({ metrics, dimensions: [current], pagination: { limit: 10 } })).then((answer) => {
      rows = answer.results;
      const leftOut = answer.meta.warnings.filter((w) => w.startsWith("imported days"));
      const note = leftOut.length ? el("p", { class: "muted imports-note", title: leftOut.join("; ") }, "Imported data is not in this panel") : "";
      if (!rows.length) { body.replaceChildren(el("p", { class: "muted" }, "No data in this range"), note); return; }
      const top = Math.max(1, ...rows.map((r) => r.metrics[0] || 0));
      body.replaceChildren(el("table", {},
        el("thead", {}, el("tr", {}, el("th", {}, panel.tabs.find((t) => t[0] === current)[1]), metrics.map((m) => el("th", { class: "n" }, m.replace(/_/g, " "))))),
        el("tbody", {}, rows.map((r) => {
          const value = r.dimensions[0];
          const first = el("td", { style: null }, label(current, value));
          first.style.backgroundSize = `${(r.metrics[0] || 0) / top * 100}% 100%`;
          return el("tr", { class: "row", "data-value": value, title: "Filter by this", on: { click: () => { addFilter(current, value); } } },
            first, metrics.map((m, i) => el("td", { class: "n", "data-metric": m, "data-raw": r.metrics[i] == null ? "" : r.metrics[i] }, show(m, r.metrics[i]))));
        }))));
      if (note) body.append(note);
      if (current === "country" && session.attribution) body.append(el("p", { class: "attribution" }, session.attribution));
    }).catch((err) => body.replaceChildren(el("p", { class: "error" }, err.message)));
    return section;
  }

  function renderMapPanel(panel, index) {
    const body = el("div", {}, el("p", { class: "muted" }, "Loading…"));
    const nav = el("nav", {}, el("h2", {}, panel.title),
      panel.tabs.map(([dim, title]) => el("button", { class: dim === "map" ? "on" : "", on: { click: () => { state.tabs[index] = dim; section.replaceWith(renderPanel(panel, index)); } } }, title)));
    const section = el("div", { class: "panel", "data-panel": "map" }, nav, body);
    query(baseQuery({ metrics: ["visitors"], dimensions: ["country"], pagination: { limit: 300 } }))
      .then((answer) => renderMap(body, answer.results))
      .then(() => { if (session.attribution) body.append(el("p", { class: "attribution" }, session.attribution)); })
      .catch((err) => body.replaceChildren(el("p", { class: "error" }, err.message)));
    return section;
  }

  function addFilter(dim, value) {
    if (dim === "currency") return;
    if (dim === "prop") {
      // A property row is `key=value`: filter on that property (the events that carry it).
      const i = value.indexOf("=");
      if (i <= 0) return;
      dim = "props:" + value.slice(0, i);
      value = value.slice(i + 1);
    }
    state.filters = state.filters.filter((f) => !(f.dim === dim && f.op === "is")).concat([{ dim, op: "is", value }]);
    render();
  }

  // Every row of a panel, as the server writes CSV (formulas in visitor-sent values are defused there).
  async function exportCSV(dim, metrics, extra) {
    const csv = await queryCSV(baseQuery(Object.assign({ metrics, dimensions: [dim] }, extra || {})));
    const link = el("a", { href: URL.createObjectURL(new Blob([csv], { type: "text/csv" })), download: `${state.site}-${dim}.csv` });
    document.body.append(link); link.click(); link.remove();
  }

  // The whole dashboard's numbers for the range, per day, as Plausible's CSV tables in a zip; or,
  // for owners, the range's anonymized hits as a Parquet file.
  async function exportAll(format) {
    const response = await send("/api/dashboard/export", { method: "POST", body: JSON.stringify({ site_id: state.site, date_range: dateRange(), format: format || "plausible-csv" }) });
    if (!response.ok) { const body = await response.json().catch(() => ({})); alertLine((body.errors && body.errors[0] && body.errors[0].message) || response.statusText); return; }
    const name = (response.headers.get("Content-Disposition") || "").match(/filename="([^"]+)"/);
    const link = el("a", { href: URL.createObjectURL(await response.blob()), download: name ? name[1] : state.site + (format === "parquet" ? ".parquet" : ".zip") });
    document.body.append(link); link.click(); link.remove();
  }

  // A message above the cards (an export that could not be made).
  function alertLine(text) {
    const line = el("p", { class: "error export-error", role: "alert" }, text);
    const old = document.querySelector(".export-error");
    if (old) old.replaceWith(line); else app.insertBefore(line, app.children[1] || null);
  }

  // Realtime: the last 30 minutes of the site's own clock (visitors, pages, sources), refreshed
  // every 10 seconds while open.
  function openRealtime() {
    const body = el("div", { class: "details-body" }, el("p", { class: "muted" }, "Loading…"));
    let timer = null;
    const close = () => { clearInterval(timer); overlay.remove(); document.removeEventListener("keydown", onKey); };
    const onKey = (e) => { if (e.key === "Escape") close(); };
    document.addEventListener("keydown", onKey);
    const dialog = el("div", { class: "details realtime-view", role: "dialog", "aria-label": "Realtime" },
      el("header", {}, el("h2", {}, "Realtime · last 30 minutes"), el("button", { class: "link details-close", "aria-label": "Close", on: { click: close } }, "×")),
      body);
    const overlay = el("div", { class: "overlay", on: { click: (e) => { if (e.target === overlay) close(); } } }, dialog);
    document.body.append(overlay);
    const table = (title, dim, rows) => el("table", { "data-realtime": dim },
      el("thead", {}, el("tr", {}, el("th", {}, title), el("th", { class: "n" }, "visitors"))),
      el("tbody", {}, rows.map((r) => el("tr", { class: "row", "data-value": r.dimensions[0] },
        el("td", {}, label(dim, r.dimensions[0])), el("td", { class: "n", "data-metric": "visitors", "data-raw": r.metrics[0] }, show("visitors", r.metrics[0]))))));
    async function load() {
      const now = siteNow();
      if (!now) return;
      // The site's local minutes, from 30 minutes ago through the current one.
      const end = Date.parse(now.replace(" ", "T") + "Z") + 60000;
      const minute = (ms) => new Date(ms).toISOString().slice(0, 16);
      const base = { site_id: state.site, date_range: [minute(end - 31 * 60000), minute(end)] };
      try {
        const [totals, pages, sources] = await Promise.all([
          query(Object.assign({}, base, { metrics: ["visitors", "pageviews"] })),
          query(Object.assign({}, base, { metrics: ["visitors"], dimensions: ["event:page"], pagination: { limit: 10 } })),
          query(Object.assign({}, base, { metrics: ["visitors"], dimensions: ["visit:source"], pagination: { limit: 10 } })),
        ]);
        body.replaceChildren(
          el("section", { class: "cards" }, [["visitors", "Visitors"], ["pageviews", "Pageviews"]].map(([m, t], i) =>
            el("div", { class: "card", "data-realtime-metric": m, "data-raw": totals.totals.metrics[i] }, el("div", { class: "label" }, t), el("div", { class: "value" }, show(m, totals.totals.metrics[i]))))),
          table("Pages", "page", pages.results), table("Sources", "source", sources.results));
      } catch (err) { body.replaceChildren(el("p", { class: "error" }, err.message)); }
    }
    load();
    timer = setInterval(load, 10000);
  }

  // A panel's details: every row, searchable, sorted by any metric, 50 at a time, exportable.
  function openDetails(dim, title, metrics) {
    const view = { search: "", order: [metrics[0], "desc"], offset: 0 };
    const pageSize = 50;
    const searchable = !["prop", "currency"].includes(dim);
    const body = el("div", { class: "details-body" });
    const pager = el("div", { class: "pager" });
    const search = el("input", { type: "search", name: "search", placeholder: "Search", "aria-label": "Search " + title, disabled: searchable ? null : "" });
    let timer = null;
    search.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(() => { view.search = search.value; view.offset = 0; load(); }, 250); });
    const close = () => { overlay.remove(); document.removeEventListener("keydown", onKey); };
    const onKey = (e) => { if (e.key === "Escape") close(); };
    document.addEventListener("keydown", onKey);
    const question = () => {
      const extra = { order_by: [view.order] };
      const q = baseQuery(Object.assign({ metrics, dimensions: [dim] }, extra));
      if (view.search) q.filters = (q.filters || []).concat([["contains", apiName(dim), [view.search]]]);
      return q;
    };
    const dialog = el("div", { class: "details", role: "dialog", "aria-label": title + " details" },
      el("header", {}, el("h2", {}, title), search,
        el("button", { class: "link details-export", on: { click: () => exportCSV(dim, metrics, { order_by: [view.order], filters: question().filters }) } }, "Export CSV"),
        el("button", { class: "link details-close", "aria-label": "Close", on: { click: close } }, "×")),
      body, pager);
    const overlay = el("div", { class: "overlay", on: { click: (e) => { if (e.target === overlay) close(); } } }, dialog);
    document.body.append(overlay);
    async function load() {
      body.replaceChildren(el("p", { class: "muted" }, "Loading…"));
      try {
        const q = question();
        q.pagination = { limit: pageSize, offset: view.offset };
        const answer = await query(q);
        const rows = answer.results;
        const sortBy = (m) => { view.order = [m, view.order[0] === m && view.order[1] === "desc" ? "asc" : "desc"]; view.offset = 0; load(); };
        body.replaceChildren(el("table", {},
          el("thead", {}, el("tr", {}, el("th", {}, title), metrics.map((m) => el("th", { class: "n sortable", "data-sort": m, on: { click: () => sortBy(m) } },
            m.replace(/_/g, " ") + (view.order[0] === m ? (view.order[1] === "desc" ? " ▼" : " ▲") : ""))))),
          el("tbody", {}, rows.map((r) => el("tr", { class: "row", "data-value": r.dimensions[0], title: "Filter by this", on: { click: () => { close(); addFilter(dim, r.dimensions[0]); } } },
            el("td", {}, label(dim, r.dimensions[0])),
            metrics.map((m, i) => el("td", { class: "n", "data-metric": m, "data-raw": r.metrics[i] == null ? "" : r.metrics[i] }, show(m, r.metrics[i]))))))));
        if (!rows.length) body.append(el("p", { class: "muted" }, "No rows"));
        const first = rows.length ? view.offset + 1 : 0;
        pager.replaceChildren(
          el("button", { class: "link previous", disabled: view.offset === 0 ? "" : null, on: { click: () => { view.offset = Math.max(0, view.offset - pageSize); load(); } } }, "← Previous"),
          el("span", { class: "range" }, `${first}–${view.offset + rows.length}`),
          el("button", { class: "link next", disabled: rows.length < pageSize ? "" : null, on: { click: () => { view.offset += pageSize; load(); } } }, "Next →"));
      } catch (err) { body.replaceChildren(el("p", { class: "error" }, err.message)); }
    }
    load();
    setTimeout(() => search.focus(), 0);
  }

  // Funnels: the visitors who reached each step in order, the conversion from the first step and
  // the drop-off from the step before, for the range and filters in view.
  async function renderFunnels(section) {
    let defined;
    try { defined = await call("/api/dashboard/definitions?site=" + encodeURIComponent(state.site)); }
    catch (err) { section.replaceChildren(el("p", { class: "error" }, err.message)); return; }
    if (!defined.funnels.length) {
      section.replaceChildren(el("div", { class: "panel" }, el("nav", {}, el("h2", {}, "Funnels")),
        el("p", { class: "muted" }, session.shared ? "No funnels" : "No funnels yet: define one under “Goals & funnels”.")));
      return;
    }
    if (!defined.funnels.some((f) => f.name === state.funnel)) state.funnel = defined.funnels[0].name;
    const picker = el("select", { "aria-label": "Funnel", name: "funnel", on: { change: (e) => { state.funnel = e.target.value; renderFunnels(section); } } },
      defined.funnels.map((f) => el("option", { value: f.name, selected: f.name === state.funnel ? "" : null }, f.name)));
    const body = el("div", {}, el("p", { class: "muted" }, "Loading…"));
    section.replaceChildren(el("div", { class: "panel funnel", "data-funnel": state.funnel }, el("nav", {}, el("h2", {}, "Funnel"), picker), body));
    try {
      const q = { site_id: state.site, date_range: dateRange(), funnel: state.funnel };
      if (state.filters.length) q.filters = baseQuery({}).filters;
      const answer = await query(q);
      const first = answer.results.length ? answer.results[0].metrics[0] || 0 : 0;
      body.replaceChildren(el("table", {},
        el("thead", {}, el("tr", {}, el("th", {}, "Step"), el("th", { class: "n" }, "visitors"), el("th", { class: "n" }, "conversion"), el("th", { class: "n" }, "drop-off"))),
        el("tbody", {}, answer.results.map((r, i) => {
          const visitors = r.metrics[0] || 0;
          const before = i ? answer.results[i - 1].metrics[0] || 0 : null;
          const step = el("td", {}, (i + 1) + ". " + r.dimensions[0]);
          step.style.backgroundImage = "linear-gradient(var(--bar), var(--bar))";
          step.style.backgroundRepeat = "no-repeat";
          step.style.backgroundSize = `${first ? visitors / first * 100 : 0}% 100%`;
          return el("tr", { class: "step", "data-step": r.dimensions[0], "data-visitors": visitors, "data-rate": r.metrics[1] == null ? "" : r.metrics[1] },
            step, el("td", { class: "n" }, count(visitors)), el("td", { class: "n" }, pct(r.metrics[1])),
            el("td", { class: "n" }, before == null ? "" : count(before - visitors) + (before ? " (" + pct((before - visitors) / before * 100) + ")" : "")));
        }))));
    } catch (err) { body.replaceChildren(el("p", { class: "error" }, err.message)); }
  }

  // Goals & funnels of the site, for a logged-in user: the same definitions `infinity goals` and
  // `infinity funnels` change, taken by the server at once.
  function openDefinitions() {
    const body = el("div", { class: "details-body" }, el("p", { class: "muted" }, "Loading…"));
    const close = () => { overlay.remove(); document.removeEventListener("keydown", onKey); render(); };
    const onKey = (e) => { if (e.key === "Escape") close(); };
    document.addEventListener("keydown", onKey);
    const dialog = el("div", { class: "details definitions", role: "dialog", "aria-label": "Goals and funnels" },
      el("header", {}, el("h2", {}, "Goals & funnels · " + state.site), el("button", { class: "link details-close", "aria-label": "Close", on: { click: close } }, "×")),
      body);
    const overlay = el("div", { class: "overlay", on: { click: (e) => { if (e.target === overlay) close(); } } }, dialog);
    document.body.append(overlay);
    const change = async (payload) => {
      try { showDefinitions(await call("/api/dashboard/definitions", { method: "POST", body: JSON.stringify(Object.assign({ site_id: state.site }, payload)) })); }
      catch (err) { const p = body.querySelector("p.error") || el("p", { class: "error", role: "alert" }); p.textContent = err.message; body.prepend(p); }
    };
    function showDefinitions(defined) {
      const kind = el("select", { name: "kind", "aria-label": "Goal kind" }, el("option", { value: "event" }, "Custom event"), el("option", { value: "page" }, "Page visit"), el("option", { value: "scroll" }, "Scroll depth"));
      const depth = el("input", { name: "scroll", type: "number", min: "1", max: "100", placeholder: "% (scroll depth)", "aria-label": "Scroll depth in percent" });
      const target = el("input", { name: "target", placeholder: "Signup, or /blog/**", "aria-label": "Event name or page path", required: "" });
      const props = el("input", { name: "properties", placeholder: "plan=pro (optional)", "aria-label": "Properties" });
      const name = el("input", { name: "name", placeholder: "Name (optional)", "aria-label": "Goal name" });
      const goalForm = el("form", { class: "goal-form", on: { submit: (e) => {
        e.preventDefault();
        const payload = { action: "add_goal", name: name.value };
        if (kind.value === "page") payload.path = target.value;
        else if (kind.value === "scroll") { payload.path = target.value; payload.scroll = Number(depth.value); }
        else {
          payload.event = target.value;
          payload.properties = Object.fromEntries(props.value.split(",").map((p) => p.trim()).filter((p) => p.includes("=")).map((p) => [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)]));
        }
        change(payload);
      } } }, kind, target, props, depth, name, el("button", { type: "submit" }, "Add goal"));
      const funnelName = el("input", { name: "funnel_name", placeholder: "Funnel name", "aria-label": "Funnel name", required: "" });
      const steps = el("textarea", { name: "steps", rows: "4", placeholder: "One step a line, in order:\npage==/\npage==/pricing\ngoal==Signup", "aria-label": "Funnel steps" });
      const funnelForm = el("form", { class: "funnel-form", on: { submit: (e) => {
        e.preventDefault();
        change({ action: "add_funnel", name: funnelName.value, steps: steps.value.split("\n").map((l) => l.trim()).filter((l) => l) });
      } } }, funnelName, steps, el("button", { type: "submit" }, "Add funnel"));
      const remove = (action, item) => el("button", { class: "link remove", "aria-label": "Remove " + item, on: { click: () => change({ action, name: item }) } }, "Remove");
      const condition = (g) => g.kind === "scroll" ? g.path + " scrolled to " + g.scroll + "%" : g.kind === "page" ? "page view of " + g.path : "event " + g.event + Object.entries(g.properties || {}).map(([k, v]) => ` ${k}=${v}`).join("");
      body.replaceChildren(
        el("h3", {}, "Goals"),
        defined.goals.length ? el("table", { class: "goals" }, el("tbody", {}, defined.goals.map((g) => el("tr", { "data-goal": g.name }, el("td", {}, g.name), el("td", { class: "muted" }, condition(g)), el("td", { class: "n" }, remove("remove_goal", g.name))))))
          : el("p", { class: "muted" }, "No goals: every custom event counts as one until you define some."),
        goalForm,
        el("h3", {}, "Funnels"),
        defined.funnels.length ? el("table", { class: "funnel-list" }, el("tbody", {}, defined.funnels.map((f) => el("tr", { "data-funnel": f.name }, el("td", {}, f.name), el("td", { class: "muted" }, f.labels.join(" → ")), el("td", { class: "n" }, remove("remove_funnel", f.name))))))
          : el("p", { class: "muted" }, "No funnels."),
        funnelForm);
    }
    call("/api/dashboard/definitions?site=" + encodeURIComponent(state.site)).then(showDefinitions).catch((err) => body.replaceChildren(el("p", { class: "error" }, err.message)));
  }

  // Settings, for owners: sites (and the snippet to paste), shared links, Stats API keys, logins.
  // The same files as `infinity sites`, `sites share`, `keys` and `users`; changes count at once.
  function openSettings() {
    const body = el("div", { class: "details-body" }, el("p", { class: "muted" }, "Loading…"));
    let changed = false;
    // After a change the session is asked again (a new site joins the site list).
    const close = async () => {
      overlay.remove(); document.removeEventListener("keydown", onKey);
      if (changed) { session = await call("/api/dashboard/session"); sessionAt = Date.now(); render(); }
    };
    const onKey = (e) => { if (e.key === "Escape") close(); };
    document.addEventListener("keydown", onKey);
    const dialog = el("div", { class: "details definitions settings", role: "dialog", "aria-label": "Settings" },
      el("header", {}, el("h2", {}, "Settings"), el("button", { class: "link details-close", "aria-label": "Close", on: { click: close } }, "×")), body);
    const overlay = el("div", { class: "overlay", on: { click: (e) => { if (e.target === overlay) close(); } } }, dialog);
    document.body.append(overlay);
    const change = async (payload) => {
      try { changed = true; showSettings(await call("/api/dashboard/settings", { method: "POST", body: JSON.stringify(payload) })); }
      catch (err) { const p = body.querySelector("p.error") || el("p", { class: "error", role: "alert" }); p.textContent = err.message; body.prepend(p); }
    };
    const input = (name, label, attrs = {}) => el("input", Object.assign({ name, placeholder: label, "aria-label": label }, attrs));
    const form = (cls, fields, button, payload) => el("form", { class: cls, on: { submit: (e) => {
      e.preventDefault();
      change(payload(Object.fromEntries(fields.map((f) => [f.name, f.value]))));
    } } }, fields, el("button", { type: "submit" }, button));
    const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : ["UTC"];
    // Uploads another tool's export into the site in view: Plausible's zip, or GA reports (CSV).
    function importForm() {
      const format = el("select", { name: "format", "aria-label": "Import format" },
        el("option", { value: "plausible-csv" }, "Plausible CSV export (.zip)"), el("option", { value: "analytics-csv" }, "Google Analytics daily reports (.csv)"));
      const files = el("input", { type: "file", name: "files", multiple: "", accept: ".zip,.csv", required: "", "aria-label": "Export files" });
      const status = el("span", { class: "muted import-status", role: "status" });
      return el("form", { class: "import-form", on: { submit: async (e) => {
        e.preventDefault();
        const notes = [];
        for (const file of files.files) {
          const url = "/api/dashboard/import?site=" + encodeURIComponent(state.site) + "&format=" + format.value + "&name=" + encodeURIComponent(file.name);
          const response = await send(url, { method: "POST", body: await file.arrayBuffer(), headers: { "Content-Type": "application/octet-stream" } });
          const answer = await response.json().catch(() => ({}));
          if (!response.ok) { notes.push(file.name + ": " + ((answer.errors && answer.errors[0] && answer.errors[0].message) || response.statusText)); continue; }
          notes.push(file.name + ": " + (answer.message || ("import " + answer.imported + ", " + answer.rows + " rows" + (answer.skipped_days ? ", " + answer.skipped_days + " days with hits left out" : ""))));
        }
        changed = true;
        showSettings(await call("/api/dashboard/settings"));
        const line = body.querySelector(".import-status");
        if (line) line.textContent = notes.join("; ");
      } } }, format, files, el("button", { type: "submit" }, "Import into " + state.site), status);
    }
    // Deleting a site asks for its name typed again; it removes everything recorded of it.
    function deleteForm(domain) {
      const typed = input("confirm", "Type " + domain + " to delete it", { required: "", autocomplete: "off" });
      return el("form", { class: "delete-form", on: { submit: (e) => {
        e.preventDefault();
        if (typed.value.trim() !== domain) { typed.setCustomValidity("type " + domain + " exactly"); typed.reportValidity(); return; }
        change({ action: "delete_site", site: domain, confirm: typed.value.trim() });
      } } }, el("span", { class: "muted" }, "Deletes the site, its numbers, goals, links, reports and imported history, and erases its hits from the journal. "), typed,
        el("button", { type: "submit", class: "danger" }, "Delete site and data"));
    }
    function showSettings(settings) {
      const rows = (cls, items, cells) => items.length ? el("table", { class: cls }, el("tbody", {}, items.map(cells))) : el("p", { class: "muted" }, "None.");
      const remove = (label, payload) => el("button", { class: "link remove", "aria-label": label, on: { click: () => change(payload) } }, label.split(" ")[0]);
      const zone = el("select", { name: "timezone", "aria-label": "Time zone" }, zones.map((z) => el("option", { value: z, selected: z === "UTC" ? "" : null }, z)));
      body.replaceChildren(
        settings.secret ? el("p", { class: "secret", role: "status" }, "Shown only now: ", el("code", {}, settings.secret.startsWith("/share/") ? location.origin + settings.secret : settings.secret)) : "",
        el("h3", {}, "Sites"),
        rows("sites", settings.sites, (s) => el("tr", { "data-site": s.domain }, el("td", {}, s.domain), el("td", { class: "muted" }, s.timezone), el("td", {}, el("code", {}, s.snippet)),
          el("td", { class: "n" }, el("button", { class: "link delete-site", on: { click: (e) => e.target.replaceWith(deleteForm(s.domain)) } }, "Delete…")))),
        form("site-form", [input("domain", "example.com", { required: "" }), zone], "Add site", (v) => ({ action: "add_site", domain: v.domain, timezone: v.timezone })),
        el("h3", {}, "Shared links (read-only dashboards)"),
        rows("shares", settings.shares, (s) => el("tr", { "data-share": s.id }, el("td", {}, s.site), el("td", { class: "muted" }, s.id), el("td", { class: "n" }, remove("Revoke link " + s.id, { action: "revoke_share", id: s.id })))),
        form("share-form", [], "Share " + state.site, () => ({ action: "create_share", site: state.site })),
        el("h3", {}, "Stats API keys"),
        rows("keys", settings.keys, (k) => el("tr", { "data-key": k.id }, el("td", {}, k.name), el("td", { class: "muted" }, k.sites.length ? k.sites.join(", ") : "all sites"), el("td", { class: "n" }, remove("Revoke key " + k.id, { action: "revoke_key", id: k.id })))),
        form("key-form", [input("name", "Key name")], "Create key for " + state.site, (v) => ({ action: "create_key", name: v.name, site: state.site })),
        el("h3", {}, "Imported history"),
        rows("imports", settings.imports || [], (i) => el("tr", { "data-import": i.id }, el("td", {}, i.site), el("td", { class: "muted" }, i.source + ", " + i.first + " … " + i.last),
          el("td", { class: "muted" }, i.tables.length === 1 ? i.tables[0] : i.tables.length + " tables"), el("td", { class: "n" }, remove("Remove import " + i.id, { action: "remove_import", site: i.site, id: i.id })))),
        importForm(),
        el("h3", {}, "Logins"),
        rows("users", settings.users, (u) => el("tr", { "data-user": u.email }, el("td", {}, u.email), el("td", { class: "muted" }, u.role), el("td", { class: "n" }, u.email === session.email ? "" : remove("Remove " + u.email, { action: "remove_user", email: u.email })))),
        settings.mail ? form("invite-form", [input("email", "E-mail to invite", { type: "email", required: "" }),
          el("select", { name: "role", "aria-label": "Role" }, el("option", { value: "viewer" }, "viewer (read only)"), el("option", { value: "owner" }, "owner"))],
          "Invite by e-mail", (v) => ({ action: "invite_user", email: v.email, role: v.role })) : "",
        settings.invites.length ? el("p", { class: "muted invites" }, "Invited: " + settings.invites.map((i) => i.email + " (" + i.role + ")").join(", ")) : "",
        form("user-form", [input("email", "E-mail", { type: "email", required: "" }), input("password", "Password (10 or more characters)", { type: "password", required: "", autocomplete: "new-password" }),
          el("select", { name: "role", "aria-label": "Role" }, el("option", { value: "viewer" }, "viewer (read only)"), el("option", { value: "owner" }, "owner"))],
          "Add login", (v) => ({ action: "add_user", email: v.email, password: v.password, role: v.role })));
    }
    call("/api/dashboard/settings").then(showSettings).catch((err) => body.replaceChildren(el("p", { class: "error" }, err.message)));
  }

  async function refreshRealtime() {
    const target = document.getElementById("realtime");
    if (!target || !state.site) return;
    try { const r = await call("/api/dashboard/realtime?site=" + encodeURIComponent(state.site)); target.replaceChildren(el("b", {}, "● " + r.visitors), r.visitors === 1 ? " current visitor" : " current visitors"); }
    catch (_) { target.textContent = ""; }
  }

  start();
})();
