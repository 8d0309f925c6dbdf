-- wrk script: realistic tracker events with rotating user agents, pages, referrers and client
-- addresses (X-Forwarded-For, believed because the server trusts its loopback proxy).
local agents = {
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
  "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
  "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/27.0 Chrome/125.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
}
local referrers = { "", "https://www.google.com/", "https://news.ycombinator.com/item?id=1", "https://t.co/abc", "https://duckduckgo.com/" }
local counter = 0

request = function()
  counter = counter + 1
  local path = "/page/" .. (counter % 500)
  local ref = referrers[(counter % #referrers) + 1]
  local body = '{"n":"pageview","u":"https://example.com' .. path .. '?utm_source=bench","d":"example.com","r":"' .. ref .. '","w":1280}'
  local ip = (11 + counter % 200) .. "." .. (counter % 251) .. "." .. (counter % 241) .. "." .. (1 + counter % 250)
  wrk.headers["Content-Type"] = "text/plain"
  wrk.headers["User-Agent"] = agents[(counter % #agents) + 1]
  wrk.headers["X-Forwarded-For"] = ip
  return wrk.format("POST", "/api/event", nil, body)
end

done = function(summary, latency, requests)
  local ok = summary.requests - summary.errors.status - summary.errors.connect - summary.errors.read - summary.errors.write - summary.errors.timeout
  io.write(string.format("RESULT requests=%d non2xx=%d rate=%.0f p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests, summary.errors.status, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
