-- Closed-loop clients spread over tenants: every request picks a tenant (its token) and a customer
-- id at random. BENCH_TOKENS: a file with one token per line (one per tenant under test);
-- BENCH_IDS: customer ids present in every tenant database; BENCH_MODE: get | post | dashboard;
-- BENCH_PREFIX: the path before the id for `get` (tenantgate, the ceiling app and the naive app
-- serve the same query under different paths); BENCH_PICK: uniform (default) | zipf (tenant k
-- drawn with weight 1/k, Zipf with exponent 1.0) | thread (each wrk thread is one tenant's clients:
-- run with one thread per tenant, so every tenant has exactly connections/threads clients).
-- Every request carries X-Request-Id "b<tenant>-<n>", which tenantgate echoes: the answer tells
-- whose it was, so each tenant's successes are counted, and when (in 250 ms buckets), for
-- fairness: Jain's index over the tenants' successes and the longest time a tenant went without one.
-- done() prints one machine-readable line, BENCH-RESULT, that bench/harness parses.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock, bench_timespec *ts);
]]
local ts = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC, the same clock in every thread
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local BUCKET_MS = 250
local tokens, ids = {}, {}
local mode = os.getenv("BENCH_MODE") or "get"
local prefix = os.getenv("BENCH_PREFIX") or "/api/customers/"
local pick = os.getenv("BENCH_PICK") or "uniform"
for line in io.lines(os.getenv("BENCH_TOKENS")) do tokens[#tokens + 1] = "Bearer " .. line end
for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end

-- Zipf(1.0): cumulative weights 1/1 + 1/2 + ... + 1/n, normalised; a draw is a binary search.
local cdf = {}
if pick == "zipf" then
  local sum = 0
  for k = 1, #tokens do sum = sum + 1 / k; cdf[k] = sum end
  for k = 1, #tokens do cdf[k] = cdf[k] / sum end
end
local function tenant()
  if pick == "thread" then return ((number - 1) % #tokens) + 1 end
  if pick ~= "zipf" then return math.random(#tokens) end
  local u, lo, hi = math.random(), 1, #tokens
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cdf[mid] < u then lo = mid + 1 else hi = mid end
  end
  return lo
end

local threads = {}
local counter = 0

function setup(thread)
  thread:set("number", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  statuses = {}
  successes = {}   -- tenant -> successes
  buckets = {}     -- "tenant:bucket" -> true, for every 250 ms bucket with a success
  started = now_ms()
  math.randomseed(os.time() * 1000 + number)
end

function request()
  local t = tenant()
  local auth = tokens[t]
  counter = counter + 1
  local id = "b" .. t .. "-" .. number .. "-" .. counter
  if mode == "post" then
    local body = string.format('{"name":"Bench %d-%d","email":"b%d-%d-%d@bench.example","phone":"+1 555 0100"}',
      number, counter, os.time(), number, counter)
    return wrk.format("POST", "/api/customers",
      { ["Authorization"] = auth, ["Content-Type"] = "application/json", ["X-Request-Id"] = id }, body)
  elseif mode == "dashboard" then
    return wrk.format("GET", "/api/dashboard", { ["Authorization"] = auth, ["X-Request-Id"] = id })
  end
  return wrk.format("GET", prefix .. ids[math.random(#ids)], { ["Authorization"] = auth, ["X-Request-Id"] = id })
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status >= 200 and status < 300 then
    local echoed = headers["X-Request-Id"] or headers["x-request-id"]
    local t = echoed and tonumber(string.match(echoed, "^b(%d+)-"))
    if t then
      successes[t] = (successes[t] or 0) + 1
      buckets[t .. ":" .. math.floor((now_ms() - started) / BUCKET_MS)] = true
    end
  end
end

function done(summary, latency, requests)
  local total, ok, seen = {}, {}, {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + n
    end
    for t, n in pairs(thread:get("successes")) do
      ok[t] = (ok[t] or 0) + n
    end
    for key, _ in pairs(thread:get("buckets")) do
      seen[key] = true
    end
  end
  local parts = {}
  for status, n in pairs(total) do parts[#parts + 1] = status .. ":" .. n end
  -- Jain's index over every tenant under test (a tenant that never succeeded counts as 0).
  local sum, squares = 0, 0
  for t = 1, #tokens do
    local x = ok[t] or 0
    sum = sum + x
    squares = squares + x * x
  end
  local jain = squares > 0 and (sum * sum) / (#tokens * squares) or 0
  -- The longest run of 250 ms buckets without a success, over every tenant.
  local last = math.floor(summary.duration / 1000 / BUCKET_MS)
  local longest = 0
  for t = 1, #tokens do
    local run = 0
    for b = 0, last do
      if seen[t .. ":" .. b] then run = 0 else run = run + 1; if run > longest then longest = run end end
    end
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH-RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d p999_us=%d max_us=%d "
      .. "connect_errors=%d read_errors=%d write_errors=%d timeouts=%d statuses=%s jain=%.4f maxgap_ms=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency:percentile(99.9), latency.max, e.connect, e.read, e.write, e.timeout, table.concat(parts, ","),
    jain, longest * BUCKET_MS))
end
