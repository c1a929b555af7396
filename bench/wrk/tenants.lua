-- Closed-loop clients spread over tenants: every request picks a tenant (its token) and a customer
-- id at random. BENCH_TOKENS: a file with one token per line (one per tenant under test);
-- BENCH_IDS: customer ids present in every tenant database; BENCH_MODE: get | post | dashboard;
-- BENCH_PREFIX: the path before the id for `get` (tenantgate, the ceiling app and the naive app
-- serve the same query under different paths).
-- done() prints one machine-readable line, BENCH-RESULT, that bench/harness parses.

local tokens, ids = {}, {}
local mode = os.getenv("BENCH_MODE") or "get"
local prefix = os.getenv("BENCH_PREFIX") or "/api/customers/"
for line in io.lines(os.getenv("BENCH_TOKENS")) do tokens[#tokens + 1] = "Bearer " .. line end
for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end

local threads = {}
local counter = 0

function setup(thread)
  thread:set("number", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  statuses = {}
  math.randomseed(os.time() * 1000 + number)
end

function request()
  local auth = tokens[math.random(#tokens)]
  if mode == "post" then
    counter = counter + 1
    local body = string.format('{"name":"Bench %d-%d","email":"b%d-%d-%d@bench.example","phone":"+1 555 0100"}',
      number, counter, os.time(), number, counter)
    return wrk.format("POST", "/api/customers",
      { ["Authorization"] = auth, ["Content-Type"] = "application/json" }, body)
  elseif mode == "dashboard" then
    return wrk.format("GET", "/api/dashboard", { ["Authorization"] = auth })
  end
  return wrk.format("GET", prefix .. ids[math.random(#ids)], { ["Authorization"] = auth })
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(total) do parts[#parts + 1] = status .. ":" .. n end
  local e = summary.errors
  io.write(string.format(
    "BENCH-RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d p999_us=%d max_us=%d "
      .. "connect_errors=%d read_errors=%d write_errors=%d timeouts=%d statuses=%s\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency:percentile(99.9), latency.max, e.connect, e.read, e.write, e.timeout, table.concat(parts, ",")))
end
