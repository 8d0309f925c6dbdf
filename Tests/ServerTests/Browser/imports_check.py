"""Opens a shared dashboard whose range holds imported history, in Debian's chromium (headless), and
prints what the page shows with imported data included, switched off, and under a filter the
imported tables cannot answer, for the Swift test to compare with `infinity query`.

Usage: imports_check.py CHROMIUM DASHBOARD_URL
"""
import json
import sys
import time

from cdp import Browser

chromium, url = sys.argv[1:3]
browser = Browser(chromium)
evaluate, wait_for = browser.evaluate, browser.wait_for

LOADED = ("document.querySelectorAll('.card[data-raw]').length === 6 && "
          "['page','source','country'].every(p => document.querySelector(`[data-panel=${p}] tr.row, "
          "[data-panel=${p}] p.muted:not(:empty)`) && !document.querySelector(`[data-panel=${p}]`).innerText.includes('Loading'))")
READ = """(() => {
  const box = document.querySelector('p.imports input[name=imports]');
  const line = document.querySelector('p.imports');
  return {
    visitors: Number(document.querySelector('.card[data-metric=visitors]').dataset.raw),
    switch_shown: !!box && !line.hidden, checked: !!box && box.checked, line: line ? line.textContent : '',
    countries: [...document.querySelectorAll('[data-panel=country] tr.row')].slice(0, 3).map(r =>
      [r.dataset.value, Number(r.querySelector('td[data-metric=visitors]').dataset.raw)]),
    source_note: !!document.querySelector('[data-panel=source] .imports-note'),
    url: location.search,
  };
})()"""

browser.navigate(url)
time.sleep(0.2)
wait_for(LOADED, "the dashboard")
report = {"included": evaluate(READ)}

evaluate("document.querySelector('p.imports input[name=imports]').click()")
wait_for(f"location.search.includes('imports=0') && ({LOADED})", "the dashboard without imported data")
report["excluded"] = evaluate(READ)

evaluate("document.querySelector('p.imports input[name=imports]').click()")
wait_for(f"!location.search.includes('imports=0') && ({LOADED})", "the dashboard with imported data again")
# A page filter: the sources panel cannot take imported days (their tables hold one dimension).
page = evaluate("(() => { const row = document.querySelector('[data-panel=page] tr.row'); row.click(); return row.dataset.value; })()")
wait_for(f"document.querySelector('.chip') && ({LOADED})", "the filtered dashboard")
report["filtered"] = evaluate(READ)
report["filtered"]["page"] = page

# The Locations panel's map: each country's visitors, its shade, and a click that filters.
evaluate("window.previousPage = true")
browser.navigate(url)
wait_for("!window.previousPage && " + LOADED, "the dashboard again")
evaluate("[...document.querySelectorAll('[data-panel=country] nav button')].find(b => b.textContent === 'Map').click()")
wait_for("document.querySelectorAll('[data-panel=map] .worldmap path').length > 100", "the map")
report["map"] = evaluate("""(() => ({
  countries: [...document.querySelectorAll('.worldmap path')].map(p =>
    [p.dataset.code, Number(p.dataset.visitors), Number(getComputedStyle(p).fillOpacity), p.querySelector('title').textContent]),
  attribution: (document.querySelector('[data-panel=map] .attribution') || {}).textContent || '',
}))()""")
darkest = max((c for c in report["map"]["countries"]), key=lambda c: c[1])[0]
evaluate(f"document.querySelector('.worldmap path[data-code={darkest}]').dispatchEvent(new MouseEvent('click', {{bubbles: true}}))")
wait_for(f"document.querySelector('.chip[data-filter=\"country:{darkest}\"]') && !!document.querySelector('[data-panel=map] .worldmap')", "the dashboard filtered by the clicked country")
report["map"]["clicked"] = darkest
report["map"]["url"] = evaluate("location.search")
print(json.dumps(report))
browser.close()
