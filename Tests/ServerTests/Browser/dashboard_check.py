"""Drives Debian's chromium (headless) through the dashboard with the DevTools protocol and prints
what the page shows, for the Swift test to compare with `infinity query`.

Usage: dashboard_check.py CHROMIUM BASE_URL EMAIL PASSWORD SHARE_PATH SCREENSHOT_PNG IMPORT_ZIP
"""
import base64
import json
import os
import sys
import time

from cdp import Browser

chromium, base, email, password, share, screenshot, import_zip = sys.argv[1:8]
browser = Browser(chromium)
send, evaluate, wait_for = browser.send, browser.evaluate, browser.wait_for


def navigate(url):
    browser.navigate(url)
    time.sleep(0.2)
    wait_for("document.readyState === 'complete'", "the page to load")


LOADED = ("document.querySelectorAll('.card[data-raw]').length === 6 && "
          "['page','source','country','device'].every(p => document.querySelector(`[data-panel=${p}] tr.row, "
          "[data-panel=${p}] p.muted:not(:empty)`) && !document.querySelector(`[data-panel=${p}]`).innerText.includes('Loading'))")


def read_page():
    return evaluate("""(() => {
      const headline = {};
      document.querySelectorAll('.card[data-metric]').forEach(c => headline[c.dataset.metric] = c.dataset.raw === '' ? null : Number(c.dataset.raw));
      const top = {};
      for (const p of ['page', 'source', 'country', 'device']) {
        top[p] = [...document.querySelectorAll(`[data-panel=${p}] tr.row`)].slice(0, 5).map(r =>
          [r.dataset.value, Number(r.querySelector('td[data-metric=visitors]').dataset.raw)]);
      }
      return {headline, top, chips: [...document.querySelectorAll('.chip')].map(c => c.dataset.filter)};
    })()""")


report = {}

navigate(base + "/")
wait_for("document.querySelector('form.login')", "the login form")
evaluate(f"""(() => {{
  document.querySelector('input[name=email]').value = {json.dumps(email)};
  document.querySelector('input[name=password]').value = {json.dumps(password)};
  document.querySelector('form.login').requestSubmit();
}})()""")
wait_for(LOADED, "the dashboard after login")
report["logged_in"] = read_page()
report["chart"] = evaluate("""[...document.querySelectorAll('.chart .bucket')].map(b =>
  [b.dataset.time, Number(b.dataset.visitors), b.querySelector('title').textContent])""")
shot = send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
os.makedirs(os.path.dirname(screenshot), exist_ok=True)
with open(screenshot, "wb") as handle:
    handle.write(base64.b64decode(shot["data"]))

# Details of the pages panel: every row 50 at a time, sorted, searched, exported.
DETAILS_ROWS = "[...document.querySelectorAll('.details tr.row')].map(r => [r.dataset.value, Number(r.querySelector('td[data-metric=visitors]').dataset.raw)])"
DETAILS_LOADED = "document.querySelector('.details') && !document.querySelector('.details').innerText.includes('Loading')"
evaluate("document.querySelector('[data-panel=page] .details-open').click()")
wait_for(DETAILS_LOADED, "the pages details")
details = {"first": evaluate(DETAILS_ROWS), "range": evaluate("document.querySelector('.details .range').textContent"),
           "engagement": evaluate("""[...document.querySelectorAll('.details tr.row')].map(r => [r.dataset.value,
             ...['time_on_page', 'scroll_depth'].map(m => r.querySelector(`td[data-metric=${m}]`).dataset.raw)])""")}
evaluate("document.querySelector('.details .next').click()")
wait_for(DETAILS_LOADED + " && document.querySelector('.details .range').textContent.startsWith('51')", "the second page")
details["second"] = evaluate(DETAILS_ROWS)
evaluate("document.querySelector('.details th[data-sort=visitors]').click()")
wait_for(DETAILS_LOADED + " && document.querySelector('.details th[data-sort=visitors]').textContent.includes('▲')", "ascending order")
details["ascending"] = evaluate(DETAILS_ROWS)
details["search"] = next(p for p, _ in report["logged_in"]["top"]["page"] if p != "/")
evaluate(f"""(() => {{ const s = document.querySelector('.details input[name=search]'); s.value = {json.dumps(details["search"])};
  s.dispatchEvent(new Event('input')); }})()""")
wait_for(DETAILS_LOADED + f" && [...document.querySelectorAll('.details tr.row')].every(r => r.dataset.value.includes({json.dumps(details['search'])}))", "the search")
details["searched"] = evaluate(DETAILS_ROWS)
# The export button downloads what the server writes; catch the file instead of saving it.
details["csv"] = evaluate("""new Promise(resolve => {
  URL.createObjectURL = (blob) => { blob.text().then(resolve); return 'blob:caught'; };
  HTMLAnchorElement.prototype.click = function () {};
  document.querySelector('.details .details-export').click();
})""")
evaluate("document.querySelector('.details .details-close').click()")
wait_for("!document.querySelector('.details')", "the details to close")
# The panel's own CSV link exports every row, not the ten shown.
details["panel_csv"] = evaluate("""new Promise(resolve => {
  URL.createObjectURL = (blob) => { blob.text().then(resolve); return 'blob:caught'; };
  HTMLAnchorElement.prototype.click = function () {};
  document.querySelector('[data-panel=page] .export').click();
})""")
report["details"] = details
# "Export": the whole range's daily tables as Plausible's CSV zip, caught as base64.
report["export_zip"] = evaluate("""new Promise(resolve => {
  URL.createObjectURL = (blob) => { blob.arrayBuffer().then(b => { let s = ''; for (const x of new Uint8Array(b)) s += String.fromCharCode(x); resolve(btoa(s)); }); return 'blob:caught'; };
  HTMLAnchorElement.prototype.click = function () {};
  document.querySelector('.export-all').click();
})""")
# "Hits" (owners): the range's anonymized hits as a Parquet file, caught the same way.
report["export_hits"] = evaluate("""new Promise(resolve => {
  URL.createObjectURL = (blob) => { blob.arrayBuffer().then(b => { let s = ''; for (const x of new Uint8Array(b)) s += String.fromCharCode(x); resolve(btoa(s)); }); return 'blob:caught'; };
  HTMLAnchorElement.prototype.click = function () {};
  document.querySelector('.export-hits').click();
})""")

clicked = evaluate("(() => { const row = document.querySelector('[data-panel=country] tr.row'); row.click(); return row.dataset.value; })()")
report["clicked"] = clicked
wait_for(f"document.querySelector('.chip[data-filter=\"country:{clicked}\"]') && ({LOADED})", "the filtered dashboard")
report["filtered"] = read_page()
report["url"] = evaluate("location.search")

# The filter menu: a second filter, "page is not <the top page>", beside the country.
excluded = report["logged_in"]["top"]["page"][0][0]
report["excluded_page"] = excluded
evaluate("document.querySelector('.add-filter').click()")
wait_for("!!document.querySelector('form.filter-form')", "the filter menu")
evaluate(f"""(() => {{
  const form = document.querySelector('form.filter-form');
  form.querySelector('select[name=dim]').value = 'page';
  form.querySelector('select[name=op]').value = 'is_not';
  form.querySelector('input[name=value]').value = {json.dumps(excluded)};
  form.requestSubmit();
}})()""")
wait_for(f"document.querySelectorAll('.chip').length === 2 && ({LOADED})", "the dashboard with two filters")
report["two_filters"] = read_page()
report["two_filters"]["chip_text"] = evaluate("[...document.querySelectorAll('.chip')].map(c => c.firstChild.textContent)")
report["two_filters_url"] = evaluate("location.search")

# The URL alone brings the same view back (a bookmark, a shared address).
navigate(base + "/" + report["two_filters_url"])
wait_for(f"document.querySelectorAll('.chip').length === 2 && ({LOADED})", "the bookmarked view")
report["bookmarked"] = read_page()

# Removing the country chip leaves the page filter.
evaluate("document.querySelector('.chip[data-filter^=\"country:\"] button').click()")
wait_for(f"document.querySelectorAll('.chip').length === 1 && ({LOADED})", "the dashboard after removing a chip")
report["page_only"] = read_page()

# Properties are a dimension to click: plan=pro filters on the events that carry it.
evaluate("document.querySelector('.chip button').click()")
wait_for(f"document.querySelectorAll('.chip').length === 0 && ({LOADED})", "the dashboard without filters")
evaluate("[...document.querySelectorAll('.panel nav button')].find(b => b.textContent === 'Properties').click()")
wait_for("!!document.querySelector('[data-panel=prop] tr.row')", "the properties panel")
report["property"] = evaluate("(() => { const row = document.querySelector('[data-panel=prop] tr.row'); row.click(); return row.dataset.value; })()")
wait_for(f"document.querySelectorAll('.chip').length === 1 && ({LOADED})", "the dashboard filtered by a property")
report["property_filtered"] = read_page()
report["property_chip_text"] = evaluate("document.querySelector('.chip').firstChild.textContent")

# The realtime count opens the last 30 minutes: the test sent one page view just before.
evaluate("document.querySelector('#realtime').click()")
wait_for("!!document.querySelector('.realtime-view [data-realtime-metric=visitors]')", "the realtime view")
report["realtime"] = evaluate("""(() => ({
  visitors: Number(document.querySelector('.realtime-view [data-realtime-metric=visitors]').dataset.raw),
  pageviews: Number(document.querySelector('.realtime-view [data-realtime-metric=pageviews]').dataset.raw),
  pages: [...document.querySelectorAll('.realtime-view [data-realtime=page] tr.row')].map(r => r.dataset.value),
  sources: [...document.querySelectorAll('.realtime-view [data-realtime=source] tr.row')].map(r => r.dataset.value),
}))()""")
evaluate("document.querySelector('.realtime-view .details-close').click()")

# Goals and funnels defined in the dashboard: a page goal, a funnel through it, a funnel refused.
evaluate("document.querySelector('.chip button').click()")
wait_for(f"document.querySelectorAll('.chip').length === 0 && ({LOADED})", "the dashboard without the property filter")
evaluate("document.querySelector('.settings-open').click()")
wait_for("!!document.querySelector('form.goal-form')", "the goals and funnels dialog")
evaluate("""(() => { const f = document.querySelector('form.goal-form');
  f.querySelector('select[name=kind]').value = 'page'; f.querySelector('input[name=target]').value = '/pricing';
  f.querySelector('input[name=name]').value = 'Pricing'; f.requestSubmit(); })()""")
wait_for("!!document.querySelector('.definitions tr[data-goal=Pricing]')", "the new goal")
evaluate("""(() => { const f = document.querySelector('form.funnel-form');
  f.querySelector('input[name=funnel_name]').value = 'Too short'; f.querySelector('textarea[name=steps]').value = 'page==/';
  f.requestSubmit(); })()""")
wait_for("!!document.querySelector('.definitions p.error')", "the refusal of a one-step funnel")
report["funnel_refusal"] = evaluate("document.querySelector('.definitions p.error').textContent")
evaluate("""(() => { const f = document.querySelector('form.funnel-form');
  f.querySelector('input[name=funnel_name]').value = 'Buy'; f.querySelector('textarea[name=steps]').value = 'page==/\\ngoal==Pricing';
  f.requestSubmit(); })()""")
wait_for("!!document.querySelector('.definitions tr[data-funnel=Buy]')", "the new funnel")
evaluate("document.querySelector('.definitions .details-close').click()")
FUNNEL_LOADED = "!!document.querySelector('.funnel tr.step') && !!document.querySelector('[data-panel=goal] tr.row')"
wait_for(f"({LOADED}) && !!document.querySelector('.funnel tr.step')", "the dashboard with the funnel")
# The goals panel still shows the Properties tab chosen above: back to Goals.
evaluate("[...document.querySelectorAll('.panel nav button')].find(b => b.textContent === 'Goals').click()")
wait_for(FUNNEL_LOADED, "the goals panel")
GOALS_AND_FUNNEL = """(() => ({
  goals: [...document.querySelectorAll('[data-panel=goal] tr.row')].map(r => [r.dataset.value,
    ...[...r.querySelectorAll('td[data-metric]')].map(c => c.dataset.raw === '' ? null : Number(c.dataset.raw))]),
  funnel: [...document.querySelectorAll('.funnel tr.step')].map(r => [r.dataset.step, Number(r.dataset.visitors), Number(r.dataset.rate)]),
}))()"""
report["defined"] = evaluate(GOALS_AND_FUNNEL)

# Settings (owner): a site, a Stats API key, a shared link and a viewer login, made in the page.
evaluate("document.querySelector('.admin-open').click()")
wait_for("!!document.querySelector('form.site-form')", "the settings")


def submit(form, values):
    evaluate(f"""(() => {{ const f = document.querySelector('form.{form}');
      for (const [k, v] of Object.entries({json.dumps(values)})) f.querySelector(`[name=${{k}}]`).value = v;
      f.requestSubmit(); }})()""")


submit("site-form", {"domain": "new.example", "timezone": "Europe/Berlin"})
wait_for("!!document.querySelector('.settings tr[data-site=\"new.example\"]')", "the new site")
submit("key-form", {"name": "from the page"})
wait_for("!!document.querySelector('.settings .secret code') && !!document.querySelector('.settings tr[data-key]')", "the new key")
report["created_key"] = evaluate("document.querySelector('.settings .secret code').textContent")
submit("share-form", {})
wait_for("document.querySelector('.settings .secret code').textContent.includes('/share/')", "the new link")
report["created_link"] = evaluate("document.querySelector('.settings .secret code').textContent")
submit("user-form", {"email": "viewer@example.com", "password": "a viewer's password", "role": "viewer"})
wait_for("!!document.querySelector('.settings tr[data-user=\"viewer@example.com\"]')", "the new login")
report["settings_users"] = evaluate("[...document.querySelectorAll('.settings tr[data-user]')].map(r => r.dataset.user)")
# Imported history: Plausible's export chosen in the file picker and uploaded.
document = send("DOM.getDocument", {"depth": 0})
picker = send("DOM.querySelector", {"nodeId": document["root"]["nodeId"], "selector": "form.import-form input[type=file]"})
send("DOM.setFileInputFiles", {"nodeId": picker["nodeId"], "files": [import_zip]})
evaluate("document.querySelector('form.import-form').requestSubmit()")
wait_for("!!document.querySelector('.settings tr[data-import]') && document.querySelector('.settings .import-status').textContent !== ''", "the import")
report["import_status"] = evaluate("document.querySelector('.settings .import-status').textContent")
report["import_rows"] = evaluate("[...document.querySelectorAll('.settings tr[data-import]')].map(r => r.innerText)")
evaluate("document.querySelector('.settings .details-close').click()")
wait_for("[...document.querySelectorAll('header select option')].some(o => o.value === 'new.example')", "the site list with the new site")

# On a phone: nothing wider than the screen, and the chart drawn at the size it is shown.
send("Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
navigate(base + "/?site=example.com")
wait_for(f"({LOADED}) && {FUNNEL_LOADED}", "the dashboard on a phone")
report["phone"] = evaluate("""(() => { const svg = document.querySelector('.chart svg');
  const label = svg.querySelector('text');
  return { overflow: document.documentElement.scrollWidth - window.innerWidth,
           chart_scale: svg.getBoundingClientRect().width / svg.viewBox.baseVal.width,
           label_px: label.getBoundingClientRect().height,
           panel_width: document.querySelector('.panel').getBoundingClientRect().width }; })()""")
shot = send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
with open(screenshot.replace(".png", "-phone.png"), "wb") as handle:
    handle.write(base64.b64decode(shot["data"]))
send("Emulation.clearDeviceMetricsOverride", {})

# Today by hour: the chart stops at the present hour instead of drawing the rest of the day as zeros.
hour_before = time.gmtime().tm_hour
navigate(base + "/?site=example.com&range=today")
wait_for(f"({LOADED}) && !!document.querySelector('.chart svg text')", "today's dashboard")
report["today_buckets"] = evaluate("document.querySelectorAll('.chart .bucket').length")
report["today_hours"] = [hour_before, time.gmtime().tm_hour]

navigate(base + share)
wait_for(LOADED, "the shared dashboard")
report["shared"] = read_page()
wait_for(FUNNEL_LOADED, "the shared dashboard's funnel")
report["shared_defined"] = evaluate(GOALS_AND_FUNNEL)
report["shared_has_settings"] = evaluate("!!document.querySelector('.settings-open')")
report["shared_has_logout"] = evaluate("[...document.querySelectorAll('button')].some(b => b.textContent === 'Log out')")

print(json.dumps(report))
browser.close()
