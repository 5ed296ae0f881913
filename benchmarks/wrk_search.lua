-- wrk script of the lookup benchmark (benchmarks/lookup.py): POST /api/v1/search with the
-- JSON bodies of BENCH_QUERIES (one a line), in turn; prints one BENCH {...} line of figures.
local bodies = {}
for line in io.lines(os.getenv("BENCH_QUERIES")) do
  bodies[#bodies + 1] = line
end
local headers = { ["Content-Type"] = "application/json" }
local counter = 0

function setup(thread)
  thread:set("offset", math.random(1, #bodies))
end

function request()
  counter = counter + 1
  local body = bodies[((counter + (offset or 0)) % #bodies) + 1]
  return wrk.format("POST", "/api/v1/search", headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "non2xx": %d, "errors": %d, '
      .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50.0), latency:percentile(95.0), latency:percentile(99.0), latency.max
  ))
end
